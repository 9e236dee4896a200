#include "broker/tws/decoder.h"

#include <cmath>

#include <fmt/format.h>

#include "broker/tws/wire.h"

namespace harrier::tws {

// Short alias for the one pattern every decoder below repeats: read a field or return its error.
#define TWS_READ(lhs, expr) HARRIER_ASSIGN_OR_RETURN(lhs, expr)

namespace {

double not_computed(double v, double sentinel) { return v == sentinel ? std::nan("") : v; }

Result<Message> tick_price(FieldReader& r) {
  TickPrice m;
  TWS_READ(std::int64_t version, r.i64("version"));
  TWS_READ(m.req_id, r.i32("tickerId"));
  TWS_READ(m.tick_type, r.i32("tickType"));
  TWS_READ(m.price, r.dbl("price"));
  if (version >= 2) {
    TWS_READ(m.size, r.dbl_or_unset("size"));
  }
  if (version >= 3) {
    TWS_READ(m.attr_mask, r.i32("attrMask"));
  }
  return Message(std::move(m));
}

Result<Message> tick_size(FieldReader& r) {
  TickSize m;
  HARRIER_TRY(r.skip("version"));
  TWS_READ(m.req_id, r.i32("tickerId"));
  TWS_READ(m.tick_type, r.i32("tickType"));
  TWS_READ(m.size, r.dbl_or_unset("size"));
  return Message(std::move(m));
}

Result<Message> tick_generic(FieldReader& r) {
  TickGeneric m;
  HARRIER_TRY(r.skip("version"));
  TWS_READ(m.req_id, r.i32("tickerId"));
  TWS_READ(m.tick_type, r.i32("tickType"));
  TWS_READ(m.value, r.dbl("value"));
  return Message(std::move(m));
}

Result<Message> tick_string(FieldReader& r) {
  TickString m;
  HARRIER_TRY(r.skip("version"));
  TWS_READ(m.req_id, r.i32("tickerId"));
  TWS_READ(m.tick_type, r.i32("tickType"));
  TWS_READ(m.value, r.str("value"));
  return Message(std::move(m));
}

Result<Message> tick_option_computation(FieldReader& r, int server_version) {
  TickOptionComputation m;
  std::int64_t version = 6;
  if (server_version < sv::kPriceBasedVolatility) {
    TWS_READ(version, r.i64("version"));
  }
  TWS_READ(m.req_id, r.i32("tickerId"));
  TWS_READ(m.tick_type, r.i32("tickType"));
  if (server_version >= sv::kPriceBasedVolatility) {
    TWS_READ(m.tick_attrib, r.i32("tickAttrib"));
  }
  TWS_READ(double iv, r.dbl("impliedVol"));
  TWS_READ(double delta, r.dbl("delta"));
  m.implied_vol = not_computed(iv, -1);
  m.delta = not_computed(delta, -2);
  if (version >= 6 || m.tick_type == 13 || m.tick_type == 83) {
    TWS_READ(double opt_price, r.dbl("optPrice"));
    TWS_READ(double pv_dividend, r.dbl("pvDividend"));
    m.opt_price = not_computed(opt_price, -1);
    m.pv_dividend = not_computed(pv_dividend, -1);
  }
  if (version >= 6) {
    TWS_READ(double gamma, r.dbl("gamma"));
    TWS_READ(double vega, r.dbl("vega"));
    TWS_READ(double theta, r.dbl("theta"));
    TWS_READ(double und_price, r.dbl("undPrice"));
    m.gamma = not_computed(gamma, -2);
    m.vega = not_computed(vega, -2);
    m.theta = not_computed(theta, -2);
    m.und_price = not_computed(und_price, -1);
  }
  return Message(std::move(m));
}

Result<Message> tick_by_tick(FieldReader& r) {
  TWS_READ(std::int32_t req_id, r.i32("reqId"));
  TWS_READ(std::int32_t type, r.i32("tickType"));
  TWS_READ(std::int64_t time_s, r.i64("time"));
  switch (type) {
    case 1:
    case 2: {
      TickByTickLast m;
      m.req_id = req_id;
      m.tick_type = type;
      m.time_s = time_s;
      TWS_READ(m.price, r.dbl("price"));
      TWS_READ(m.size, r.dbl_or_unset("size"));
      TWS_READ(std::int32_t mask, r.i32("mask"));
      m.past_limit = (mask & 1) != 0;
      m.unreported = (mask & 2) != 0;
      TWS_READ(m.exchange, r.str("exchange"));
      TWS_READ(m.special_conditions, r.str("specialConditions"));
      return Message(std::move(m));
    }
    case 3: {
      TickByTickBidAsk m;
      m.req_id = req_id;
      m.time_s = time_s;
      TWS_READ(m.bid_price, r.dbl("bidPrice"));
      TWS_READ(m.ask_price, r.dbl("askPrice"));
      TWS_READ(m.bid_size, r.dbl_or_unset("bidSize"));
      TWS_READ(m.ask_size, r.dbl_or_unset("askSize"));
      TWS_READ(std::int32_t mask, r.i32("mask"));
      m.bid_past_low = (mask & 1) != 0;
      m.ask_past_high = (mask & 2) != 0;
      return Message(std::move(m));
    }
    case 4: {
      TickByTickMidPoint m;
      m.req_id = req_id;
      m.time_s = time_s;
      TWS_READ(m.mid_point, r.dbl("midPoint"));
      return Message(std::move(m));
    }
    default:
      return r.error("tickType", fmt::format("unknown tick-by-tick type {}", type));
  }
}

Result<Message> market_depth(FieldReader& r, int server_version, bool level2) {
  MarketDepth m;
  m.level2 = level2;
  HARRIER_TRY(r.skip("version"));
  TWS_READ(m.req_id, r.i32("reqId"));
  TWS_READ(m.position, r.i32("position"));
  if (level2) {
    TWS_READ(m.market_maker, r.str("marketMaker"));
  }
  TWS_READ(std::int32_t op, r.i32("operation"));
  if (op < 0 || op > 2) return r.error("operation", fmt::format("{} is not 0, 1 or 2", op));
  m.operation = static_cast<DepthOperation>(op);
  TWS_READ(std::int32_t side, r.i32("side"));
  if (side < 0 || side > 1) return r.error("side", fmt::format("{} is not 0 or 1", side));
  m.side = static_cast<DepthSide>(side);
  TWS_READ(m.price, r.dbl("price"));
  TWS_READ(m.size, r.dbl_or_unset("size"));
  if (level2 && server_version >= sv::kSmartDepth) {
    TWS_READ(m.smart_depth, r.boolean("isSmartDepth"));
  }
  return Message(std::move(m));
}

Result<Message> order_status(FieldReader& r, int server_version) {
  OrderStatus m;
  if (server_version < sv::kMarketCapPrice) HARRIER_TRY(r.skip("version"));
  TWS_READ(m.order_id, r.i64("orderId"));
  TWS_READ(m.status, r.str("status"));
  TWS_READ(m.filled, r.dbl_or_unset("filled"));
  TWS_READ(m.remaining, r.dbl_or_unset("remaining"));
  TWS_READ(m.avg_fill_price, r.dbl("avgFillPrice"));
  TWS_READ(m.perm_id, r.i64("permId"));
  TWS_READ(m.parent_id, r.i64("parentId"));
  TWS_READ(m.last_fill_price, r.dbl("lastFillPrice"));
  TWS_READ(m.client_id, r.i32("clientId"));
  TWS_READ(m.why_held, r.str("whyHeld"));
  if (server_version >= sv::kMarketCapPrice) {
    TWS_READ(m.mkt_cap_price, r.dbl("mktCapPrice"));
  }
  return Message(std::move(m));
}

Result<Message> error_message(FieldReader& r, int server_version) {
  ErrorMessage m;
  TWS_READ(std::int64_t version, r.i64("version"));
  if (version < 2) {
    m.id = -1;
    TWS_READ(m.message, r.str("message"));
    return Message(std::move(m));
  }
  TWS_READ(m.id, r.i64("id"));
  TWS_READ(m.code, r.i32("code"));
  TWS_READ(std::string_view text, r.str("message"));
  m.message =
      server_version >= sv::kEncodeMsgAscii7 ? decode_unicode_escapes(text) : std::string(text);
  if (server_version >= sv::kAdvancedOrderReject) {
    TWS_READ(std::string_view json, r.str("advancedOrderRejectJson"));
    m.advanced_order_reject_json = decode_unicode_escapes(json);
  }
  return Message(std::move(m));
}

// conId, symbol, secType, date, strike, right, multiplier, exchange, currency, localSymbol,
// tradingClass: the contract as openOrder and position send it.
Status contract_fields(FieldReader& r, Contract& c, bool with_trading_class = true) {
  TWS_READ(c.con_id, r.i64("conId"));
  TWS_READ(c.symbol, r.str("symbol"));
  TWS_READ(c.sec_type, r.str("secType"));
  TWS_READ(c.last_trade_date_or_contract_month, r.str("lastTradeDateOrContractMonth"));
  TWS_READ(c.strike, r.dbl("strike"));
  TWS_READ(c.right, r.str("right"));
  TWS_READ(c.multiplier, r.str("multiplier"));
  TWS_READ(c.exchange, r.str("exchange"));
  TWS_READ(c.currency, r.str("currency"));
  TWS_READ(c.local_symbol, r.str("localSymbol"));
  if (with_trading_class) {
    TWS_READ(c.trading_class, r.str("tradingClass"));
  }
  return ok();
}

Result<Message> open_order(FieldReader& r, int server_version) {
  OpenOrder m;
  if (server_version < sv::kOrderContainer) HARRIER_TRY(r.skip("version"));
  TWS_READ(m.order_id, r.i64("orderId"));
  HARRIER_TRY(contract_fields(r, m.contract));
  TWS_READ(m.action, r.str("action"));
  TWS_READ(m.total_quantity, r.dbl_or_unset("totalQuantity"));
  TWS_READ(m.order_type, r.str("orderType"));
  TWS_READ(m.lmt_price, r.dbl_or_unset("lmtPrice"));
  TWS_READ(m.aux_price, r.dbl_or_unset("auxPrice"));
  TWS_READ(m.tif, r.str("tif"));
  TWS_READ(m.oca_group, r.str("ocaGroup"));
  TWS_READ(m.account, r.str("account"));
  TWS_READ(m.open_close, r.str("openClose"));
  TWS_READ(m.origin, r.i32("origin"));
  TWS_READ(m.order_ref, r.str("orderRef"));
  TWS_READ(m.client_id, r.i32("clientId"));
  TWS_READ(m.perm_id, r.i64("permId"));
  // The rest (order attributes, combo legs, algo params, conditions, order state) is skipped:
  // the frame boundary resynchronises; status comes from orderStatus (reference §4.1).
  return Message(std::move(m));
}

// "20250117 16:00:00 US/Eastern" or "20250117-16:00:00" -> date and time.
void split_last_trade(std::string_view s, std::string& date, std::string& time) {
  std::size_t dash = s.find('-');
  std::size_t cut = (dash != std::string_view::npos && dash > 0) ? dash : s.find(' ');
  if (cut == std::string_view::npos) {
    date.assign(s);
    time.clear();
    return;
  }
  date.assign(s.substr(0, cut));
  std::string_view rest = s.substr(cut + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  time.assign(rest);
}

Result<Message> contract_details(FieldReader& r, int server_version) {
  ContractDetails m;
  Contract& c = m.contract;
  if (server_version < sv::kSizeRules) HARRIER_TRY(r.skip("version"));
  TWS_READ(m.req_id, r.i32("reqId"));
  TWS_READ(c.symbol, r.str("symbol"));
  TWS_READ(c.sec_type, r.str("secType"));
  TWS_READ(std::string_view last, r.str("lastTradeDateOrContractMonth"));
  split_last_trade(last, c.last_trade_date_or_contract_month, m.last_trade_time);
  if (server_version >= sv::kLastTradeDate) {
    TWS_READ(m.last_trade_date, r.str("lastTradeDate"));
  }
  TWS_READ(c.strike, r.dbl("strike"));
  TWS_READ(c.right, r.str("right"));
  TWS_READ(c.exchange, r.str("exchange"));
  TWS_READ(c.currency, r.str("currency"));
  TWS_READ(c.local_symbol, r.str("localSymbol"));
  TWS_READ(m.market_name, r.str("marketName"));
  TWS_READ(c.trading_class, r.str("tradingClass"));
  TWS_READ(c.con_id, r.i64("conId"));
  TWS_READ(m.min_tick, r.dbl("minTick"));
  if (server_version < sv::kSizeRules) HARRIER_TRY(r.skip("mdSizeMultiplier"));
  TWS_READ(c.multiplier, r.str("multiplier"));
  TWS_READ(m.order_types, r.str("orderTypes"));
  TWS_READ(m.valid_exchanges, r.str("validExchanges"));
  TWS_READ(m.price_magnifier, r.i32("priceMagnifier"));
  TWS_READ(m.under_con_id, r.i64("underConId"));
  TWS_READ(std::string_view long_name, r.str("longName"));
  m.long_name = server_version >= sv::kEncodeMsgAscii7 ? decode_unicode_escapes(long_name)
                                                       : std::string(long_name);
  TWS_READ(c.primary_exchange, r.str("primaryExch"));
  TWS_READ(m.contract_month, r.str("contractMonth"));
  TWS_READ(m.industry, r.str("industry"));
  TWS_READ(m.category, r.str("category"));
  TWS_READ(m.subcategory, r.str("subcategory"));
  TWS_READ(m.time_zone_id, r.str("timeZoneId"));
  TWS_READ(m.trading_hours, r.str("tradingHours"));
  TWS_READ(m.liquid_hours, r.str("liquidHours"));
  TWS_READ(m.ev_rule, r.str("evRule"));
  TWS_READ(m.ev_multiplier, r.dbl("evMultiplier"));
  TWS_READ(std::size_t n_sec_ids, r.count("secIdCount"));
  for (std::size_t i = 0; i < n_sec_ids; ++i) {
    TWS_READ(std::string_view tag, r.str("secIdTag"));
    TWS_READ(std::string_view value, r.str("secIdValue"));
    m.sec_ids.emplace_back(tag, value);
  }
  TWS_READ(m.agg_group, r.i32("aggGroup"));
  TWS_READ(m.under_symbol, r.str("underSymbol"));
  TWS_READ(m.under_sec_type, r.str("underSecType"));
  TWS_READ(m.market_rule_ids, r.str("marketRuleIds"));
  TWS_READ(m.real_expiration_date, r.str("realExpirationDate"));
  TWS_READ(m.stock_type, r.str("stockType"));
  if (server_version < sv::kSizeRules) {
    HARRIER_TRY(r.skip("sizeMinTick"));
  } else {
    TWS_READ(m.min_size, r.dbl_or_unset("minSize"));
    TWS_READ(m.size_increment, r.dbl_or_unset("sizeIncrement"));
    TWS_READ(m.suggested_size_increment, r.dbl_or_unset("suggestedSizeIncrement"));
  }
  if (c.sec_type == "FUND") {
    for (int i = 0; i < 17; ++i) HARRIER_TRY(r.skip("fundField"));
  }
  if (server_version >= sv::kIneligibilityReasons) {
    TWS_READ(std::size_t n, r.count("ineligibilityReasonCount"));
    for (std::size_t i = 0; i < n; ++i) {
      TWS_READ(std::string_view id, r.str("ineligibilityId"));
      TWS_READ(std::string_view text, r.str("ineligibilityDescription"));
      m.ineligibility_reasons.emplace_back(id, text);
    }
  }
  return Message(std::move(m));
}

Result<Message> exec_details(FieldReader& r, int server_version) {
  Execution m;
  if (server_version < sv::kLastLiquidity) HARRIER_TRY(r.skip("version"));
  TWS_READ(m.req_id, r.i32("reqId"));
  TWS_READ(m.order_id, r.i64("orderId"));
  HARRIER_TRY(contract_fields(r, m.contract));
  TWS_READ(m.exec_id, r.str("execId"));
  TWS_READ(m.time, r.str("time"));
  TWS_READ(m.account, r.str("acctNumber"));
  TWS_READ(m.exchange, r.str("exchange"));
  TWS_READ(m.side, r.str("side"));
  TWS_READ(m.shares, r.dbl_or_unset("shares"));
  TWS_READ(m.price, r.dbl("price"));
  TWS_READ(m.perm_id, r.i64("permId"));
  TWS_READ(m.client_id, r.i32("clientId"));
  TWS_READ(m.liquidation, r.i32("liquidation"));
  TWS_READ(m.cum_qty, r.dbl_or_unset("cumQty"));
  TWS_READ(m.avg_price, r.dbl("avgPrice"));
  TWS_READ(m.order_ref, r.str("orderRef"));
  TWS_READ(m.ev_rule, r.str("evRule"));
  TWS_READ(m.ev_multiplier, r.dbl("evMultiplier"));
  TWS_READ(m.model_code, r.str("modelCode"));
  TWS_READ(m.last_liquidity, r.i32("lastLiquidity"));
  if (server_version >= sv::kPendingPriceRevision) {
    TWS_READ(m.pending_price_revision, r.boolean("pendingPriceRevision"));
  }
  return Message(std::move(m));
}

Result<Message> commission_report(FieldReader& r) {
  CommissionReport m;
  HARRIER_TRY(r.skip("version"));
  TWS_READ(m.exec_id, r.str("execId"));
  TWS_READ(m.commission, r.dbl("commission"));
  TWS_READ(m.currency, r.str("currency"));
  TWS_READ(m.realized_pnl, r.dbl("realizedPNL"));
  TWS_READ(m.yield, r.dbl("yield"));
  TWS_READ(m.yield_redemption_date, r.i32("yieldRedemptionDate"));
  return Message(std::move(m));
}

Result<Message> position(FieldReader& r) {
  Position m;
  TWS_READ(std::int64_t version, r.i64("version"));
  TWS_READ(m.account, r.str("account"));
  HARRIER_TRY(contract_fields(r, m.contract, version >= 2));
  TWS_READ(m.position, r.dbl_or_unset("position"));
  if (version >= 3) {
    TWS_READ(m.avg_cost, r.dbl("avgCost"));
  }
  return Message(std::move(m));
}

Result<Message> portfolio_value(FieldReader& r) {
  PortfolioValue m;
  Contract& c = m.contract;
  HARRIER_TRY(r.skip("version"));
  TWS_READ(c.con_id, r.i64("conId"));
  TWS_READ(c.symbol, r.str("symbol"));
  TWS_READ(c.sec_type, r.str("secType"));
  TWS_READ(c.last_trade_date_or_contract_month, r.str("lastTradeDateOrContractMonth"));
  TWS_READ(c.strike, r.dbl("strike"));
  TWS_READ(c.right, r.str("right"));
  TWS_READ(c.multiplier, r.str("multiplier"));
  TWS_READ(c.primary_exchange, r.str("primaryExch"));
  TWS_READ(c.currency, r.str("currency"));
  TWS_READ(c.local_symbol, r.str("localSymbol"));
  TWS_READ(c.trading_class, r.str("tradingClass"));
  TWS_READ(m.position, r.dbl_or_unset("position"));
  TWS_READ(m.market_price, r.dbl("marketPrice"));
  TWS_READ(m.market_value, r.dbl("marketValue"));
  TWS_READ(m.average_cost, r.dbl("averageCost"));
  TWS_READ(m.unrealized_pnl, r.dbl("unrealizedPNL"));
  TWS_READ(m.realized_pnl, r.dbl("realizedPNL"));
  TWS_READ(m.account, r.str("accountName"));
  return Message(std::move(m));
}

Result<Message> sec_def_opt_params(FieldReader& r) {
  SecDefOptParams m;
  TWS_READ(m.req_id, r.i32("reqId"));
  TWS_READ(m.exchange, r.str("exchange"));
  TWS_READ(m.underlying_con_id, r.i64("underlyingConId"));
  TWS_READ(m.trading_class, r.str("tradingClass"));
  TWS_READ(m.multiplier, r.dbl("multiplier"));
  TWS_READ(std::size_t n_exp, r.count("expCount"));
  m.expirations.reserve(n_exp);
  for (std::size_t i = 0; i < n_exp; ++i) {
    TWS_READ(std::string_view e, r.str("expiration"));
    m.expirations.emplace_back(e);
  }
  TWS_READ(std::size_t n_strikes, r.count("strikeCount"));
  m.strikes.reserve(n_strikes);
  for (std::size_t i = 0; i < n_strikes; ++i) {
    TWS_READ(double k, r.dbl("strike"));
    m.strikes.push_back(k);
  }
  return Message(std::move(m));
}

Result<Message> mkt_depth_exchanges(FieldReader& r) {
  MktDepthExchanges m;
  TWS_READ(std::size_t n, r.count("count"));
  m.exchanges.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    DepthExchange e;
    TWS_READ(e.exchange, r.str("exchange"));
    TWS_READ(e.sec_type, r.str("secType"));
    TWS_READ(e.listing_exchange, r.str("listingExch"));
    TWS_READ(e.service_data_type, r.str("serviceDataType"));
    TWS_READ(e.agg_group, r.i64("aggGroup"));
    if (e.agg_group == kUnsetInt) e.agg_group = 0;
    m.exchanges.push_back(std::move(e));
  }
  return Message(std::move(m));
}

template <typename T>
Result<Message> req_id_only(FieldReader& r, bool versioned) {
  T m;
  if (versioned) HARRIER_TRY(r.skip("version"));
  TWS_READ(m.req_id, r.i32("reqId"));
  return Message(std::move(m));
}

Result<Message> decode_body(FieldReader& r, int id, int server_version) {
  switch (id) {
    case in::kTickPrice:
      return tick_price(r);
    case in::kTickSize:
      return tick_size(r);
    case in::kTickGeneric:
      return tick_generic(r);
    case in::kTickString:
      return tick_string(r);
    case in::kTickOptionComputation:
      return tick_option_computation(r, server_version);
    case in::kTickByTick:
      return tick_by_tick(r);
    case in::kMarketDepth:
      return market_depth(r, server_version, false);
    case in::kMarketDepthL2:
      return market_depth(r, server_version, true);
    case in::kOrderStatus:
      return order_status(r, server_version);
    case in::kError:
      return error_message(r, server_version);
    case in::kOpenOrder:
      return open_order(r, server_version);
    case in::kContractData:
      return contract_details(r, server_version);
    case in::kExecutionData:
      return exec_details(r, server_version);
    case in::kCommissionReport:
      return commission_report(r);
    case in::kPosition:
      return position(r);
    case in::kPortfolioValue:
      return portfolio_value(r);
    case in::kSecDefOptParams:
      return sec_def_opt_params(r);
    case in::kMktDepthExchanges:
      return mkt_depth_exchanges(r);
    case in::kSecDefOptParamsEnd:
      return req_id_only<SecDefOptParamsEnd>(r, false);
    case in::kContractDataEnd:
      return req_id_only<ContractDetailsEnd>(r, true);
    case in::kExecutionDataEnd:
      return req_id_only<ExecDetailsEnd>(r, true);
    case in::kTickSnapshotEnd:
      return req_id_only<TickSnapshotEnd>(r, true);
    case in::kAccountSummaryEnd:
      return req_id_only<AccountSummaryEnd>(r, true);
    case in::kNextValidId: {
      NextValidId m;
      HARRIER_TRY(r.skip("version"));
      TWS_READ(m.order_id, r.i64("orderId"));
      return Message(m);
    }
    case in::kManagedAccounts: {
      ManagedAccounts m;
      HARRIER_TRY(r.skip("version"));
      TWS_READ(std::string_view list, r.str("accountsList"));
      while (!list.empty()) {
        std::size_t comma = list.find(',');
        std::string_view acct = list.substr(0, comma);
        if (!acct.empty()) m.accounts.emplace_back(acct);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
      return Message(std::move(m));
    }
    case in::kCurrentTime: {
      CurrentTime m;
      HARRIER_TRY(r.skip("version"));
      TWS_READ(m.epoch_s, r.i64("time"));
      return Message(m);
    }
    case in::kMarketDataType: {
      MarketDataType m;
      HARRIER_TRY(r.skip("version"));
      TWS_READ(m.req_id, r.i32("reqId"));
      TWS_READ(m.type, r.i32("marketDataType"));
      return Message(m);
    }
    case in::kTickReqParams: {
      TickReqParams m;
      TWS_READ(m.req_id, r.i32("tickerId"));
      TWS_READ(m.min_tick, r.dbl("minTick"));
      TWS_READ(m.bbo_exchange, r.str("bboExchange"));
      TWS_READ(m.snapshot_permissions, r.i32("snapshotPermissions"));
      return Message(std::move(m));
    }
    case in::kOpenOrderEnd: {
      HARRIER_TRY(r.skip("version"));
      return Message(OpenOrderEnd{});
    }
    case in::kPositionEnd: {
      HARRIER_TRY(r.skip("version"));
      return Message(PositionEnd{});
    }
    case in::kAccountValue: {
      AccountValue m;
      HARRIER_TRY(r.skip("version"));
      TWS_READ(m.key, r.str("key"));
      TWS_READ(m.value, r.str("value"));
      TWS_READ(m.currency, r.str("currency"));
      TWS_READ(m.account, r.str("accountName"));
      return Message(std::move(m));
    }
    case in::kAccountUpdateTime: {
      AccountUpdateTime m;
      HARRIER_TRY(r.skip("version"));
      TWS_READ(m.time, r.str("timeStamp"));
      return Message(std::move(m));
    }
    case in::kAccountDownloadEnd: {
      AccountDownloadEnd m;
      HARRIER_TRY(r.skip("version"));
      TWS_READ(m.account, r.str("accountName"));
      return Message(std::move(m));
    }
    case in::kAccountSummary: {
      AccountSummary m;
      HARRIER_TRY(r.skip("version"));
      TWS_READ(m.req_id, r.i32("reqId"));
      TWS_READ(m.account, r.str("account"));
      TWS_READ(m.tag, r.str("tag"));
      TWS_READ(m.value, r.str("value"));
      TWS_READ(m.currency, r.str("currency"));
      return Message(std::move(m));
    }
    case in::kOrderBound: {
      OrderBound m;
      TWS_READ(m.perm_id, r.i64("permId"));
      TWS_READ(m.client_id, r.i32("clientId"));
      TWS_READ(m.order_id, r.i64("orderId"));
      return Message(m);
    }
    case in::kCompletedOrder:
      return Message(CompletedOrder{});
    case in::kCompletedOrdersEnd:
      return Message(CompletedOrdersEnd{});
    default:
      return Message(UnknownMessage{id});
  }
}

}  // namespace

Result<Message> Decoder::decode(std::string_view payload) {
  FieldReader r(payload, 0);
  auto id = r.i64("msgId");
  if (!id || *id <= 0 || *id > 100000) {
    ++stats_.rejected;
    if (!id) return std::move(id).error();
    return r.error("msgId", fmt::format("{} is not a message id", *id));
  }
  int msg_id = static_cast<int>(*id);
  r.set_msg_id(msg_id);
  auto m = decode_body(r, msg_id, server_version_);
  if (!m) {
    ++stats_.rejected;
    return m;
  }
  ++stats_.decoded;
  if (std::holds_alternative<UnknownMessage>(*m)) {
    ++stats_.unknown;
    stats_.last_unknown_id = msg_id;
  }
  return m;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}
}  // namespace

std::string decode_unicode_escapes(std::string_view s) {
  if (s.find("\\u") == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 5 < s.size() && s[i + 1] == 'u') {
      std::uint32_t cp = 0;
      bool good = true;
      for (std::size_t k = 2; k < 6; ++k) {
        int h = hex_value(s[i + k]);
        if (h < 0) {
          good = false;
          break;
        }
        cp = (cp << 4) | static_cast<std::uint32_t>(h);
      }
      if (good) {
        append_utf8(out, cp);
        i += 5;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace harrier::tws
