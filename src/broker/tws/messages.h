// The TWS messages Harrier speaks, as plain structs: requests (client -> server) that the
// Encoder turns into frames, and the incoming messages the Decoder produces. Field names
// follow the official API; units: prices in the contract's currency, sizes in shares or
// contracts (doubles: sizes are decimal strings on the wire since sv 163), times as sent.
// Harrier's "unset" for a double is NaN (written as an empty field, read from an empty
// field or the 1.7976931348623157E308 sentinel); for an id, 0.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

namespace harrier::tws {

inline constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();

// The contract block. conId 0 and an unset strike are sent as empty fields.
struct Contract {
  std::int64_t con_id = 0;
  std::string symbol;
  std::string sec_type;                           // STK, OPT, FUT, IND, CASH, BAG...
  std::string last_trade_date_or_contract_month;  // YYYYMMDD or YYYYMM
  double strike = kUnset;
  std::string right;       // C or P (options)
  std::string multiplier;  // "100" for US equity options
  std::string exchange;
  std::string primary_exchange;
  std::string currency;
  std::string local_symbol;
  std::string trading_class;
  // Only for reqContractDetails and placeOrder.
  bool include_expired = false;
  std::string sec_id_type;
  std::string sec_id;
  std::string issuer_id;
};

// ---------------------------------------------------------------------------------------------
// Requests

struct MktDataRequest {
  std::int32_t req_id = 0;
  Contract contract;
  std::string generic_ticks;  // "100,101,106"
  bool snapshot = false;
  bool regulatory_snapshot = false;
};

enum class TickByTickType { kLast, kAllLast, kBidAsk, kMidPoint };

struct TickByTickRequest {
  std::int32_t req_id = 0;
  Contract contract;
  TickByTickType type = TickByTickType::kLast;
  std::int32_t number_of_ticks = 0;  // 0 = stream
  bool ignore_size = false;
};

// Level-2 depth. The venue is the contract's exchange (ISLAND, ARCA, IEX...); smart_depth
// aggregates SMART venues. cancelMktDepth must repeat the same smart_depth.
struct MktDepthRequest {
  std::int32_t req_id = 0;
  Contract contract;
  std::int32_t num_rows = 10;
  bool smart_depth = false;
};

struct ContractDetailsRequest {
  std::int32_t req_id = 0;
  Contract contract;
};

struct SecDefOptParamsRequest {
  std::int32_t req_id = 0;
  std::string underlying_symbol;
  std::string fut_fop_exchange;  // "" for stock options
  std::string underlying_sec_type;
  std::int64_t underlying_con_id = 0;
};

struct ExecutionFilter {
  std::int32_t client_id = 0;
  std::string account;
  std::string time;  // "yyyymmdd-hh:mm:ss"
  std::string symbol;
  std::string sec_type;
  std::string exchange;
  std::string side;
};

// The order fields Harrier sets; every other placeOrder field is sent empty (TWS applies its
// defaults). Unset prices are NaN.
struct Order {
  std::int64_t order_id = 0;
  std::string action;  // BUY or SELL
  double total_quantity = 0;
  std::string order_type;  // LMT or MKT
  double lmt_price = kUnset;
  double aux_price = kUnset;
  std::string tif;  // DAY, GTC, IOC...
  std::string oca_group;
  std::string account;
  std::string order_ref;  // Harrier's client order id
  bool transmit = true;
  std::int64_t parent_id = 0;
  bool outside_rth = false;
};

// ---------------------------------------------------------------------------------------------
// Incoming

struct TickPrice {
  std::int32_t req_id = 0;
  std::int32_t tick_type = 0;
  double price = 0;
  double size = kUnset;
  std::int32_t attr_mask = 0;  // bit0 canAutoExecute, bit1 pastLimit, bit2 preOpen
};

struct TickSize {
  std::int32_t req_id = 0;
  std::int32_t tick_type = 0;
  double size = kUnset;
};

struct TickGeneric {
  std::int32_t req_id = 0;
  std::int32_t tick_type = 0;
  double value = 0;
};

struct TickString {
  std::int32_t req_id = 0;
  std::int32_t tick_type = 0;
  std::string value;
};

// Greeks. "Not computed" (-1 for vol and prices, -2 for the greeks) and unset read as NaN.
struct TickOptionComputation {
  std::int32_t req_id = 0;
  std::int32_t tick_type = 0;    // 10 bid, 11 ask, 12 last, 13 model; 80..83 delayed
  std::int32_t tick_attrib = 0;  // 0 return-based, 1 price-based
  double implied_vol = kUnset;
  double delta = kUnset;
  double opt_price = kUnset;
  double pv_dividend = kUnset;
  double gamma = kUnset;
  double vega = kUnset;
  double theta = kUnset;
  double und_price = kUnset;
};

// tickByTick (99) types 1 Last and 2 AllLast.
struct TickByTickLast {
  std::int32_t req_id = 0;
  std::int32_t tick_type = 1;
  std::int64_t time_s = 0;  // epoch seconds
  double price = 0;
  double size = 0;
  bool past_limit = false;
  bool unreported = false;
  std::string exchange;
  std::string special_conditions;
};

struct TickByTickBidAsk {
  std::int32_t req_id = 0;
  std::int64_t time_s = 0;
  double bid_price = 0;
  double ask_price = 0;
  double bid_size = 0;
  double ask_size = 0;
  bool bid_past_low = false;
  bool ask_past_high = false;
};

struct TickByTickMidPoint {
  std::int32_t req_id = 0;
  std::int64_t time_s = 0;
  double mid_point = 0;
};

enum class DepthOperation : std::int32_t { kInsert = 0, kUpdate = 1, kDelete = 2 };
enum class DepthSide : std::int32_t { kAsk = 0, kBid = 1 };

// updateMktDepth (12, no market maker) and updateMktDepthL2 (13).
struct MarketDepth {
  std::int32_t req_id = 0;
  std::int32_t position = 0;
  std::string market_maker;  // L2 only: the venue or MPID
  DepthOperation operation = DepthOperation::kInsert;
  DepthSide side = DepthSide::kAsk;
  double price = 0;
  double size = 0;
  bool smart_depth = false;
  bool level2 = false;  // true when it came as message 13
};

struct MarketDataType {
  std::int32_t req_id = 0;
  std::int32_t type = 0;  // 1 live, 2 frozen, 3 delayed, 4 delayed-frozen
};

struct TickReqParams {
  std::int32_t req_id = 0;
  double min_tick = 0;
  std::string bbo_exchange;
  std::int32_t snapshot_permissions = 0;
};

struct TickSnapshotEnd {
  std::int32_t req_id = 0;
};

struct DepthExchange {
  std::string exchange;
  std::string sec_type;
  std::string listing_exchange;
  std::string service_data_type;
  std::int64_t agg_group = 0;  // 0 when unset
};

struct MktDepthExchanges {
  std::vector<DepthExchange> exchanges;
};

struct OrderStatus {
  std::int64_t order_id = 0;
  std::string status;  // PendingSubmit, Submitted, Filled, Cancelled, Inactive...
  double filled = 0;
  double remaining = 0;
  double avg_fill_price = 0;
  std::int64_t perm_id = 0;
  std::int64_t parent_id = 0;
  double last_fill_price = 0;
  std::int32_t client_id = 0;
  std::string why_held;
  double mkt_cap_price = 0;
};

// openOrder (5), read up to permId; the rest of the frame is skipped on purpose.
struct OpenOrder {
  std::int64_t order_id = 0;
  Contract contract;  // conId, symbol, secType, date, strike, right, multiplier, exchange,
                      // currency, localSymbol, tradingClass
  std::string action;
  double total_quantity = 0;
  std::string order_type;
  double lmt_price = kUnset;
  double aux_price = kUnset;
  std::string tif;
  std::string oca_group;
  std::string account;
  std::string open_close;
  std::int32_t origin = 0;
  std::string order_ref;
  std::int32_t client_id = 0;
  std::int64_t perm_id = 0;
};

struct OpenOrderEnd {};

struct CompletedOrder {};  // recognised and skipped (not needed by Harrier)
struct CompletedOrdersEnd {};

struct OrderBound {
  std::int64_t perm_id = 0;
  std::int32_t client_id = 0;
  std::int64_t order_id = 0;
};

// error (4). id is -1 for system notices (farm status 2104...), else an order or request id.
struct ErrorMessage {
  std::int64_t id = 0;
  std::int32_t code = 0;
  std::string message;  // \uXXXX escapes (sv >= 153) are decoded to UTF-8
  std::string advanced_order_reject_json;
  bool is_notice() const { return id == -1; }
};

struct NextValidId {
  std::int64_t order_id = 0;
};

struct ManagedAccounts {
  std::vector<std::string> accounts;
};

struct CurrentTime {
  std::int64_t epoch_s = 0;
};

struct ContractDetails {
  std::int32_t req_id = 0;
  Contract contract;
  std::string last_trade_time;  // split from "date time" or "date-time"
  std::string last_trade_date;  // sv >= 182
  std::string market_name;
  double min_tick = 0;
  std::string order_types;
  std::string valid_exchanges;
  std::int32_t price_magnifier = 0;
  std::int64_t under_con_id = 0;
  std::string long_name;
  std::string contract_month;
  std::string industry;
  std::string category;
  std::string subcategory;
  std::string time_zone_id;
  std::string trading_hours;
  std::string liquid_hours;
  std::string ev_rule;
  double ev_multiplier = 0;
  std::vector<std::pair<std::string, std::string>> sec_ids;
  std::int32_t agg_group = 0;
  std::string under_symbol;
  std::string under_sec_type;
  std::string market_rule_ids;
  std::string real_expiration_date;
  std::string stock_type;
  double min_size = kUnset;
  double size_increment = kUnset;
  double suggested_size_increment = kUnset;
  std::vector<std::pair<std::string, std::string>> ineligibility_reasons;  // sv >= 186
};

struct ContractDetailsEnd {
  std::int32_t req_id = 0;
};

struct SecDefOptParams {
  std::int32_t req_id = 0;
  std::string exchange;
  std::int64_t underlying_con_id = 0;
  std::string trading_class;
  double multiplier = 0;
  std::vector<std::string> expirations;
  std::vector<double> strikes;
};

struct SecDefOptParamsEnd {
  std::int32_t req_id = 0;
};

struct Execution {
  std::int32_t req_id = -1;  // -1 when unsolicited
  std::int64_t order_id = 0;
  Contract contract;
  std::string exec_id;
  std::string time;
  std::string account;
  std::string exchange;
  std::string side;  // BOT or SLD
  double shares = 0;
  double price = 0;
  std::int64_t perm_id = 0;
  std::int32_t client_id = 0;
  std::int32_t liquidation = 0;
  double cum_qty = 0;
  double avg_price = 0;
  std::string order_ref;
  std::string ev_rule;
  double ev_multiplier = 0;
  std::string model_code;
  std::int32_t last_liquidity = 0;
  bool pending_price_revision = false;  // sv >= 178
};

struct ExecDetailsEnd {
  std::int32_t req_id = 0;
};

struct CommissionReport {
  std::string exec_id;
  double commission = 0;
  std::string currency;
  double realized_pnl = 0;
  double yield = 0;
  std::int32_t yield_redemption_date = 0;
};

struct Position {
  std::string account;
  Contract contract;
  double position = 0;
  double avg_cost = 0;
};

struct PositionEnd {};

struct AccountValue {
  std::string key;
  std::string value;
  std::string currency;
  std::string account;
};

struct PortfolioValue {
  Contract contract;
  double position = 0;
  double market_price = 0;
  double market_value = 0;
  double average_cost = 0;
  double unrealized_pnl = 0;
  double realized_pnl = 0;
  std::string account;
};

struct AccountUpdateTime {
  std::string time;  // HH:MM
};

struct AccountDownloadEnd {
  std::string account;
};

struct AccountSummary {
  std::int32_t req_id = 0;
  std::string account;
  std::string tag;
  std::string value;
  std::string currency;
};

struct AccountSummaryEnd {
  std::int32_t req_id = 0;
};

// A message id Harrier does not decode. Counted by the Decoder, never fatal.
struct UnknownMessage {
  std::int32_t id = 0;
};

using Message = std::variant<
    UnknownMessage, TickPrice, TickSize, TickGeneric, TickString, TickOptionComputation,
    TickByTickLast, TickByTickBidAsk, TickByTickMidPoint, MarketDepth, MarketDataType,
    TickReqParams, TickSnapshotEnd, MktDepthExchanges, OrderStatus, OpenOrder, OpenOrderEnd,
    CompletedOrder, CompletedOrdersEnd, OrderBound, ErrorMessage, NextValidId, ManagedAccounts,
    CurrentTime, ContractDetails, ContractDetailsEnd, SecDefOptParams, SecDefOptParamsEnd,
    Execution, ExecDetailsEnd, CommissionReport, Position, PositionEnd, AccountValue,
    PortfolioValue, AccountUpdateTime, AccountDownloadEnd, AccountSummary, AccountSummaryEnd>;

}  // namespace harrier::tws
