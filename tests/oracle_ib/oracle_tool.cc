// Harrier's side of the @stoqey/ib cross-check. Reads fixtures.json and, for every server
// version in it, (1) encodes each encode fixture with harrier::tws::Encoder from the same
// arguments the Node side passed to IBApi, and (2) decodes each decode fixture's frames with
// harrier::tws::Decoder, rendering every message as the event @stoqey/ib emits for it
// (event name + arguments in @stoqey's order). Harrier's own "unset" (NaN, or 0 for ids) is
// rendered as null. compare.js then diffs this against what fake_tws.js recorded.
//   usage: tws_oracle_tool fixtures.json out.json
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "broker/tws/decoder.h"
#include "broker/tws/encoder.h"
#include "broker/tws/framing.h"
#include "broker/tws/handshake.h"
#include "broker/tws/wire.h"

namespace {

using harrier::Status;
using json = nlohmann::json;
namespace tws = harrier::tws;

json num(double v) { return std::isnan(v) ? json(nullptr) : json(v); }
json id_or_null(std::int64_t v) { return v == 0 ? json(nullptr) : json(v); }

std::string str_of(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return {};
  const json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number()) {
    std::string out;
    tws::FrameWriter w(out, "tmp");
    w.dbl(v.get<double>());
    (void)w.finish();
    return out.substr(4, out.size() - 5);
  }
  return {};
}
double dbl_of(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : tws::kUnset;
}

tws::Contract contract_of(const json& j) {
  tws::Contract c;
  c.con_id = j.value("conId", 0);
  c.symbol = str_of(j, "symbol");
  c.sec_type = str_of(j, "secType");
  c.last_trade_date_or_contract_month = str_of(j, "lastTradeDateOrContractMonth");
  c.strike = dbl_of(j, "strike");
  c.right = str_of(j, "right");
  c.multiplier = str_of(j, "multiplier");
  c.exchange = str_of(j, "exchange");
  c.primary_exchange = str_of(j, "primaryExch");
  c.currency = str_of(j, "currency");
  c.local_symbol = str_of(j, "localSymbol");
  c.trading_class = str_of(j, "tradingClass");
  c.include_expired = j.value("includeExpired", false);
  c.sec_id_type = str_of(j, "secIdType");
  c.sec_id = str_of(j, "secId");
  c.issuer_id = str_of(j, "issuerId");
  return c;
}

tws::Order order_of(std::int64_t id, const json& j) {
  tws::Order o;
  o.order_id = id;
  o.action = str_of(j, "action");
  o.total_quantity = dbl_of(j, "totalQuantity");
  o.order_type = str_of(j, "orderType");
  o.lmt_price = dbl_of(j, "lmtPrice");
  o.aux_price = dbl_of(j, "auxPrice");
  o.tif = str_of(j, "tif");
  o.oca_group = str_of(j, "ocaGroup");
  o.account = str_of(j, "account");
  o.order_ref = str_of(j, "orderRef");
  o.transmit = j.value("transmit", true);
  o.parent_id = j.value("parentId", 0);
  o.outside_rth = j.value("outsideRth", false);
  return o;
}

tws::TickByTickType tbt_type(const std::string& s) {
  if (s == "AllLast") return tws::TickByTickType::kAllLast;
  if (s == "BidAsk") return tws::TickByTickType::kBidAsk;
  if (s == "MidPoint") return tws::TickByTickType::kMidPoint;
  return tws::TickByTickType::kLast;
}

// Encodes one fixture; returns the frame's fields, or an error string.
Status encode(const tws::Encoder& e, const std::string& call, const json& a, std::string& out) {
  if (call == "reqCurrentTime") return e.req_current_time(out);
  if (call == "reqIds") return e.req_ids(out, a[0].get<int>());
  if (call == "reqPositions") return e.req_positions(out);
  if (call == "cancelPositions") return e.cancel_positions(out);
  if (call == "reqOpenOrders") return e.req_open_orders(out);
  if (call == "reqAllOpenOrders") return e.req_all_open_orders(out);
  if (call == "reqManagedAccts") return e.req_managed_accts(out);
  if (call == "reqCompletedOrders") return e.req_completed_orders(out, a[0].get<bool>());
  if (call == "reqAccountSummary") {
    return e.req_account_summary(out, a[0].get<int>(), a[1].get<std::string>(),
                                 a[2].get<std::string>());
  }
  if (call == "cancelAccountSummary") return e.cancel_account_summary(out, a[0].get<int>());
  if (call == "reqAccountUpdates") {
    return e.req_account_updates(out, a[0].get<bool>(), a[1].get<std::string>());
  }
  if (call == "reqExecutions") {
    const json& f = a[1];
    tws::ExecutionFilter x{f.value("clientId", 0), str_of(f, "acctCode"), str_of(f, "time"),
                           str_of(f, "symbol"),    str_of(f, "secType"),  str_of(f, "exchange"),
                           str_of(f, "side")};
    return e.req_executions(out, a[0].get<int>(), x);
  }
  if (call == "reqContractDetails")
    return e.req_contract_details(out, {a[0].get<int>(), contract_of(a[1])});
  if (call == "reqSecDefOptParams") {
    return e.req_sec_def_opt_params(
        out, {a[0].get<int>(), a[1].get<std::string>(), a[2].get<std::string>(),
              a[3].get<std::string>(), a[4].get<std::int64_t>()});
  }
  if (call == "reqMarketDataType") return e.req_market_data_type(out, a[0].get<int>());
  if (call == "reqMktData") {
    return e.req_mkt_data(out, {a[0].get<int>(), contract_of(a[1]), a[2].get<std::string>(),
                                a[3].get<bool>(), a[4].get<bool>()});
  }
  if (call == "cancelMktData") return e.cancel_mkt_data(out, a[0].get<int>());
  if (call == "reqTickByTickData") {
    return e.req_tick_by_tick_data(
        out, {a[0].get<int>(), contract_of(a[1]), tbt_type(a[2].get<std::string>()),
              a[3].get<int>(), a[4].get<bool>()});
  }
  if (call == "cancelTickByTickData") return e.cancel_tick_by_tick_data(out, a[0].get<int>());
  if (call == "reqMktDepth") {
    return e.req_mkt_depth(out,
                           {a[0].get<int>(), contract_of(a[1]), a[2].get<int>(), a[3].get<bool>()});
  }
  if (call == "cancelMktDepth") return e.cancel_mkt_depth(out, a[0].get<int>(), a[1].get<bool>());
  if (call == "reqMktDepthExchanges") return e.req_mkt_depth_exchanges(out);
  if (call == "placeOrder") {
    return e.place_order(out, contract_of(a[1]), order_of(a[0].get<std::int64_t>(), a[2]));
  }
  if (call == "cancelOrder") return e.cancel_order(out, a[0].get<std::int64_t>());
  return harrier::invalid_input("oracle_tool: no Harrier mapping for call " + call);
}

json fields_of_frame(const std::string& frame) {
  json f = json::array();
  std::string cur;
  for (std::size_t i = 4; i < frame.size(); ++i) {
    if (frame[i] == '\0') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(frame[i]);
    }
  }
  return f;
}

json contract_json(const tws::Contract& c, bool primary_instead_of_exchange = false) {
  json j = {{"conId", id_or_null(c.con_id)},
            {"symbol", c.symbol},
            {"secType", c.sec_type},
            {"lastTradeDateOrContractMonth", c.last_trade_date_or_contract_month},
            {"strike", num(c.strike)},
            {"right", c.right},
            {"multiplier", c.multiplier},
            {"currency", c.currency},
            {"localSymbol", c.local_symbol},
            {"tradingClass", c.trading_class}};
  if (primary_instead_of_exchange) {
    j["primaryExch"] = c.primary_exchange;
  } else {
    j["exchange"] = c.exchange;
  }
  return j;
}

json event(const char* name, json args) { return {{"event", name}, {"args", std::move(args)}}; }

// The size tick TWS implies after a tickPrice (official decoders synthesize it).
int implied_size_tick(int price_tick) {
  switch (price_tick) {
    case 1:
      return 0;
    case 2:
      return 3;
    case 4:
      return 5;
    case 66:
      return 69;
    case 67:
      return 70;
    case 68:
      return 71;
    default:
      return -1;
  }
}

void render(const tws::Message& msg, int sv, json& events) {
  using namespace tws;
  if (auto* m = std::get_if<TickByTickLast>(&msg)) {
    events.push_back(
        event("tickByTickAllLast", {m->req_id,
                                    m->tick_type,
                                    m->time_s,
                                    m->price,
                                    num(m->size),
                                    {{"pastLimit", m->past_limit}, {"unreported", m->unreported}},
                                    m->exchange,
                                    m->special_conditions}));
    return;
  }
  if (auto* m = std::get_if<TickByTickBidAsk>(&msg)) {
    events.push_back(event("tickByTickBidAsk",
                           {m->req_id,
                            m->time_s,
                            m->bid_price,
                            m->ask_price,
                            num(m->bid_size),
                            num(m->ask_size),
                            {{"bidPastLow", m->bid_past_low}, {"askPastHigh", m->ask_past_high}}}));
    return;
  }
  if (auto* m = std::get_if<TickByTickMidPoint>(&msg)) {
    events.push_back(event("tickByTickMidPoint", {m->req_id, m->time_s, m->mid_point}));
    return;
  }
  if (auto* m = std::get_if<TickPrice>(&msg)) {
    events.push_back(
        event("tickPrice", {m->req_id, m->tick_type, m->price, (m->attr_mask & 1) != 0}));
    int size_tick = implied_size_tick(m->tick_type);
    if (size_tick >= 0) events.push_back(event("tickSize", {m->req_id, size_tick, num(m->size)}));
    return;
  }
  if (auto* m = std::get_if<TickSize>(&msg)) {
    events.push_back(event("tickSize", {m->req_id, m->tick_type, num(m->size)}));
    return;
  }
  if (auto* m = std::get_if<TickGeneric>(&msg)) {
    events.push_back(event("tickGeneric", {m->req_id, m->tick_type, m->value}));
    return;
  }
  if (auto* m = std::get_if<TickString>(&msg)) {
    events.push_back(event("tickString", {m->req_id, m->tick_type, m->value}));
    return;
  }
  if (auto* m = std::get_if<TickOptionComputation>(&msg)) {
    events.push_back(event("tickOptionComputation",
                           {m->req_id, m->tick_type, m->tick_attrib, num(m->implied_vol),
                            num(m->delta), num(m->opt_price), num(m->pv_dividend), num(m->gamma),
                            num(m->vega), num(m->theta), num(m->und_price)}));
    return;
  }
  if (auto* m = std::get_if<MarketDepth>(&msg)) {
    int op = static_cast<int>(m->operation);
    int side = static_cast<int>(m->side);
    if (m->level2) {
      events.push_back(event("updateMktDepthL2", {m->req_id, m->position, m->market_maker, op, side,
                                                  m->price, num(m->size), m->smart_depth}));
    } else {
      events.push_back(
          event("updateMktDepth", {m->req_id, m->position, op, side, m->price, num(m->size)}));
    }
    return;
  }
  if (auto* m = std::get_if<MktDepthExchanges>(&msg)) {
    json list = json::array();
    for (const auto& x : m->exchanges) {
      list.push_back({{"exchange", x.exchange},
                      {"secType", x.sec_type},
                      {"listingExch", x.listing_exchange},
                      {"serviceDataType", x.service_data_type},
                      {"aggGroup", id_or_null(x.agg_group)}});
    }
    events.push_back(event("mktDepthExchanges", {list}));
    return;
  }
  if (auto* m = std::get_if<OrderStatus>(&msg)) {
    events.push_back(event(
        "orderStatus",
        {m->order_id, m->status, num(m->filled), num(m->remaining), m->avg_fill_price, m->perm_id,
         m->parent_id, m->last_fill_price, m->client_id, m->why_held, m->mkt_cap_price}));
    return;
  }
  if (auto* m = std::get_if<ErrorMessage>(&msg)) {
    if (m->is_notice()) {
      events.push_back(event("info", {m->message, m->code}));
    } else {
      json adv = m->advanced_order_reject_json.empty()
                     ? json(nullptr)
                     : json::parse(m->advanced_order_reject_json, nullptr, false);
      events.push_back(event("error", {m->message, m->code, m->id, adv}));
    }
    return;
  }
  if (auto* m = std::get_if<NextValidId>(&msg)) {
    events.push_back(event("nextValidId", {m->order_id}));
    return;
  }
  if (auto* m = std::get_if<ManagedAccounts>(&msg)) {
    std::string joined;
    for (const auto& a : m->accounts) joined += (joined.empty() ? "" : ",") + a;
    events.push_back(event("managedAccounts", {joined}));
    return;
  }
  if (auto* m = std::get_if<CurrentTime>(&msg)) {
    events.push_back(event("currentTime", {m->epoch_s}));
    return;
  }
  if (auto* m = std::get_if<ContractDetails>(&msg)) {
    const Contract& c = m->contract;
    json contract = {{"symbol", c.symbol},
                     {"secType", c.sec_type},
                     {"lastTradeDateOrContractMonth", c.last_trade_date_or_contract_month},
                     {"strike", c.strike},
                     {"right", c.right},
                     {"exchange", c.exchange},
                     {"currency", c.currency},
                     {"localSymbol", c.local_symbol},
                     {"tradingClass", c.trading_class},
                     {"conId", c.con_id},
                     {"multiplier", c.multiplier},
                     {"primaryExch", c.primary_exchange}};
    if (sv >= sv::kLastTradeDate) contract["lastTradeDate"] = m->last_trade_date;
    json sec_ids = json::array();
    for (const auto& [tag, value] : m->sec_ids) sec_ids.push_back({{"tag", tag}, {"value", value}});
    json inel = json::array();
    for (const auto& [id, text] : m->ineligibility_reasons) {
      inel.push_back({{"id", id}, {"description", text}});
    }
    json d = {{"contract", contract},
              {"lastTradeTime", m->last_trade_time},
              {"marketName", m->market_name},
              {"minTick", m->min_tick},
              {"orderTypes", m->order_types},
              {"validExchanges", m->valid_exchanges},
              {"priceMagnifier", m->price_magnifier},
              {"underConId", m->under_con_id},
              {"longName", m->long_name},
              {"contractMonth", m->contract_month},
              {"industry", m->industry},
              {"category", m->category},
              {"subcategory", m->subcategory},
              {"timeZoneId", m->time_zone_id},
              {"tradingHours", m->trading_hours},
              {"liquidHours", m->liquid_hours},
              {"evRule", m->ev_rule},
              {"evMultiplier", m->ev_multiplier},
              {"secIdList", sec_ids},
              {"aggGroup", m->agg_group},
              {"underSymbol", m->under_symbol},
              {"underSecType", m->under_sec_type},
              {"marketRuleIds", m->market_rule_ids},
              {"realExpirationDate", m->real_expiration_date},
              {"stockType", m->stock_type},
              {"minSize", num(m->min_size)},
              {"sizeIncrement", num(m->size_increment)},
              {"suggestedSizeIncrement", num(m->suggested_size_increment)},
              {"ineligibilityReasonList", inel}};
    events.push_back(event("contractDetails", {m->req_id, d}));
    return;
  }
  if (auto* m = std::get_if<ContractDetailsEnd>(&msg)) {
    events.push_back(event("contractDetailsEnd", {m->req_id}));
    return;
  }
  if (auto* m = std::get_if<SecDefOptParams>(&msg)) {
    events.push_back(event("securityDefinitionOptionParameter",
                           {m->req_id, m->exchange, m->underlying_con_id, m->trading_class,
                            m->multiplier, m->expirations, m->strikes}));
    return;
  }
  if (auto* m = std::get_if<SecDefOptParamsEnd>(&msg)) {
    events.push_back(event("securityDefinitionOptionParameterEnd", {m->req_id}));
    return;
  }
  if (auto* m = std::get_if<Execution>(&msg)) {
    json x = {{"orderId", m->order_id},
              {"execId", m->exec_id},
              {"time", m->time},
              {"acctNumber", m->account},
              {"exchange", m->exchange},
              {"side", m->side},
              {"shares", num(m->shares)},
              {"price", m->price},
              {"permId", m->perm_id},
              {"clientId", m->client_id},
              {"liquidation", m->liquidation},
              {"cumQty", num(m->cum_qty)},
              {"avgPrice", m->avg_price},
              {"orderRef", m->order_ref},
              {"evRule", m->ev_rule},
              {"evMultiplier", m->ev_multiplier},
              {"modelCode", m->model_code},
              {"lastLiquidity", m->last_liquidity}};
    if (sv >= sv::kPendingPriceRevision) x["pendingPriceRevision"] = m->pending_price_revision;
    events.push_back(event("execDetails", {m->req_id, contract_json(m->contract), x}));
    return;
  }
  if (auto* m = std::get_if<ExecDetailsEnd>(&msg)) {
    events.push_back(event("execDetailsEnd", {m->req_id}));
    return;
  }
  if (auto* m = std::get_if<CommissionReport>(&msg)) {
    events.push_back(
        event("commissionReport", {{{"execId", m->exec_id},
                                    {"commission", m->commission},
                                    {"currency", m->currency},
                                    {"realizedPNL", m->realized_pnl},
                                    {"yield", m->yield},
                                    {"yieldRedemptionDate", m->yield_redemption_date}}}));
    return;
  }
  if (auto* m = std::get_if<Position>(&msg)) {
    events.push_back(
        event("position", {m->account, contract_json(m->contract), num(m->position), m->avg_cost}));
    return;
  }
  if (std::get_if<PositionEnd>(&msg)) {
    events.push_back(event("positionEnd", json::array()));
    return;
  }
  if (auto* m = std::get_if<OrderBound>(&msg)) {
    events.push_back(event("orderBound", {m->perm_id, m->client_id, m->order_id}));
    return;
  }
  if (auto* m = std::get_if<AccountSummary>(&msg)) {
    events.push_back(
        event("accountSummary", {m->req_id, m->account, m->tag, m->value, m->currency}));
    return;
  }
  if (auto* m = std::get_if<AccountSummaryEnd>(&msg)) {
    events.push_back(event("accountSummaryEnd", {m->req_id}));
    return;
  }
  if (auto* m = std::get_if<AccountValue>(&msg)) {
    events.push_back(event("updateAccountValue", {m->key, m->value, m->currency, m->account}));
    return;
  }
  if (auto* m = std::get_if<AccountUpdateTime>(&msg)) {
    events.push_back(event("updateAccountTime", {m->time}));
    return;
  }
  if (auto* m = std::get_if<AccountDownloadEnd>(&msg)) {
    events.push_back(event("accountDownloadEnd", {m->account}));
    return;
  }
  if (auto* m = std::get_if<PortfolioValue>(&msg)) {
    events.push_back(event("updatePortfolio", {contract_json(m->contract, true), num(m->position),
                                               m->market_price, m->market_value, m->average_cost,
                                               m->unrealized_pnl, m->realized_pnl, m->account}));
    return;
  }
  if (auto* m = std::get_if<MarketDataType>(&msg)) {
    events.push_back(event("marketDataType", {m->req_id, m->type}));
    return;
  }
  if (auto* m = std::get_if<TickSnapshotEnd>(&msg)) {
    events.push_back(event("tickSnapshotEnd", {m->req_id}));
    return;
  }
  if (auto* m = std::get_if<TickReqParams>(&msg)) {
    events.push_back(
        event("tickReqParams", {m->req_id, m->min_tick, m->bbo_exchange, m->snapshot_permissions}));
    return;
  }
  { events.push_back(event("harrier:unrendered", {static_cast<int>(msg.index())})); }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: tws_oracle_tool fixtures.json out.json\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  json fixtures = json::parse(in, nullptr, false);
  if (fixtures.is_discarded()) {
    std::fprintf(stderr, "tws_oracle_tool: %s is not JSON\n", argv[1]);
    return 2;
  }
  json out = json::object();
  int failures = 0;
  for (int sv : fixtures["serverVersions"].get<std::vector<int>>()) {
    json r = {{"hello", std::string()},
              {"startApi", json::array()},
              {"encode", json::object()},
              {"decode", json::object()}};
    std::string hello = tws::client_hello(tws::kClientMinVersion, tws::kClientMaxVersion);
    r["hello"] = hello.substr(8);
    std::string start;
    (void)tws::encode_start_api(start, sv, 0);
    r["startApi"] = fields_of_frame(start);
    tws::Encoder enc(sv);
    for (const json& fx : fixtures["encode"]) {
      std::string frame;
      Status s = encode(enc, fx["call"].get<std::string>(), fx["args"], frame);
      if (!s) {
        std::fprintf(stderr, "tws_oracle_tool: sv %d %s: %s\n", sv,
                     fx["name"].get<std::string>().c_str(), s.error().to_string().c_str());
        ++failures;
        continue;
      }
      r["encode"][fx["name"].get<std::string>()] = fields_of_frame(frame);
    }
    tws::Decoder dec(sv);
    for (const json& fx : fixtures["decode"]) {
      const json& frames =
          fx["frames"].is_array() ? fx["frames"] : fx["frames"].value(std::to_string(sv), json());
      if (frames.is_null()) continue;
      json events = json::array();
      for (const json& f : frames) {
        std::string payload;
        for (const auto& field : f) payload += field.get<std::string>() + std::string(1, '\0');
        auto m = dec.decode(payload);
        if (!m) {
          events.push_back(event("harrier:error", {m.error().to_string()}));
          continue;
        }
        render(*m, sv, events);
      }
      r["decode"][fx["name"].get<std::string>()] = events;
    }
    out[std::to_string(sv)] = r;
  }
  std::ofstream(argv[2]) << out.dump(1) << "\n";
  return failures == 0 ? 0 : 1;
}
