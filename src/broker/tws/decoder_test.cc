// Decoder: the golden incoming frames of the reference (rust-ibapi and official examples in
// /work/shared/reference/tws-protocol.md §4) decode to the right values at server version 193,
// the version gates change the layouts at 176 and 186, and unknown ids are counted, not fatal.
// No live TWS is reachable here.
#include "broker/tws/decoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "broker/tws/test_util.h"

namespace harrier::tws {
namespace {

using testing::payload;

template <typename T>
T decode_as(Decoder& d, std::string_view pipes) {
  std::string p = payload(pipes);
  auto m = d.decode(p);
  EXPECT_TRUE(m) << pipes << ": " << (m ? "" : m.error().to_string());
  if (!m) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*m)) << pipes << ": variant index " << m->index();
  if (!std::holds_alternative<T>(*m)) return T{};
  return std::get<T>(*m);
}

TEST(TwsDecoderGolden, TickByTickLast) {
  Decoder d(193);
  auto t = decode_as<TickByTickLast>(d, "99|9001|1|1678740829|3895.25|7|2|NASDAQ|Regular|");
  EXPECT_EQ(t.req_id, 9001);
  EXPECT_EQ(t.tick_type, 1);
  EXPECT_EQ(t.time_s, 1678740829);
  EXPECT_EQ(t.price, 3895.25);
  EXPECT_EQ(t.size, 7);
  EXPECT_FALSE(t.past_limit);
  EXPECT_TRUE(t.unreported);
  EXPECT_EQ(t.exchange, "NASDAQ");
  EXPECT_EQ(t.special_conditions, "Regular");
  auto all = decode_as<TickByTickLast>(d, "99|9002|2|1678740830|3895.5|100|1|ARCA||");
  EXPECT_EQ(all.tick_type, 2);
  EXPECT_TRUE(all.past_limit);
  EXPECT_FALSE(all.unreported);
  EXPECT_EQ(all.special_conditions, "");
}

TEST(TwsDecoderGolden, TickByTickBidAskAndMidPoint) {
  Decoder d(193);
  auto q = decode_as<TickByTickBidAsk>(d, "99|9001|3|1678745793|3895.50|3896.00|9|11|3|");
  EXPECT_EQ(q.req_id, 9001);
  EXPECT_EQ(q.time_s, 1678745793);
  EXPECT_EQ(q.bid_price, 3895.5);
  EXPECT_EQ(q.ask_price, 3896.0);
  EXPECT_EQ(q.bid_size, 9);
  EXPECT_EQ(q.ask_size, 11);
  EXPECT_TRUE(q.bid_past_low);
  EXPECT_TRUE(q.ask_past_high);
  auto mid = decode_as<TickByTickMidPoint>(d, "99|9001|4|1678740829|3895.375|");
  EXPECT_EQ(mid.time_s, 1678740829);
  EXPECT_EQ(mid.mid_point, 3895.375);
}

TEST(TwsDecoderGolden, OrderStatus) {
  Decoder d(193);
  auto s = decode_as<OrderStatus>(d, "3|1|Submitted|0|1|0|2126726143|0|0|100||0|");
  EXPECT_EQ(s.order_id, 1);
  EXPECT_EQ(s.status, "Submitted");
  EXPECT_EQ(s.filled, 0);
  EXPECT_EQ(s.remaining, 1);
  EXPECT_EQ(s.perm_id, 2126726143);
  EXPECT_EQ(s.client_id, 100);
  EXPECT_EQ(s.mkt_cap_price, 0);
}

TEST(TwsDecoderGolden, PermIdIs64Bit) {
  Decoder d(193);
  auto s = decode_as<OrderStatus>(d, "3|7|Filled|100|0|189.5|9007199254740993|0|189.5|18||0|");
  EXPECT_EQ(s.perm_id, 9007199254740993);
}

TEST(TwsDecoderGolden, ErrorsAndNotices) {
  Decoder d(193);
  auto n = decode_as<ErrorMessage>(d, "4|2|-1|2104|Market data farm connection is OK:usfarm||");
  EXPECT_TRUE(n.is_notice());
  EXPECT_EQ(n.code, 2104);
  EXPECT_EQ(n.message, "Market data farm connection is OK:usfarm");
  auto e = decode_as<ErrorMessage>(
      d, "4|2|1000|201|Order rejected - reason:caf\\u00e9|{\"reason\":\"x\"}|");
  EXPECT_FALSE(e.is_notice());
  EXPECT_EQ(e.id, 1000);
  EXPECT_EQ(e.code, 201);
  EXPECT_EQ(e.message, "Order rejected - reason:caf\xc3\xa9");
  EXPECT_EQ(e.advanced_order_reject_json, "{\"reason\":\"x\"}");
}

TEST(TwsDecoderGolden, ExecDetailsAt193And176) {
  const char* exec193 =
      "11|-1|13|76792991|TSLA|STK||0.0|||ISLAND|USD|TSLA|NMS|00025b46.63f8f39c.01.01|"
      "20230224  12:04:56|DU1234567|ISLAND|BOT|100|196.52|1376327563|100|0|100|196.52|||||2||";
  Decoder d(193);
  auto x = decode_as<Execution>(d, exec193);
  EXPECT_EQ(x.req_id, -1);
  EXPECT_EQ(x.order_id, 13);
  EXPECT_EQ(x.contract.con_id, 76792991);
  EXPECT_EQ(x.contract.symbol, "TSLA");
  EXPECT_EQ(x.contract.trading_class, "NMS");
  EXPECT_EQ(x.exec_id, "00025b46.63f8f39c.01.01");
  EXPECT_EQ(x.time, "20230224  12:04:56");
  EXPECT_EQ(x.account, "DU1234567");
  EXPECT_EQ(x.side, "BOT");
  EXPECT_EQ(x.shares, 100);
  EXPECT_EQ(x.price, 196.52);
  EXPECT_EQ(x.perm_id, 1376327563);
  EXPECT_EQ(x.client_id, 100);
  EXPECT_EQ(x.cum_qty, 100);
  EXPECT_EQ(x.avg_price, 196.52);
  EXPECT_EQ(x.last_liquidity, 2);
  EXPECT_FALSE(x.pending_price_revision);
  // At 176 there is no pendingPriceRevision: the same frame minus its last field decodes, and
  // the full frame's extra field is ignored as a trailing field.
  Decoder d176(176);
  std::string shorter(exec193);
  shorter.resize(shorter.size() - 1);  // drop the trailing empty field
  auto y = decode_as<Execution>(d176, shorter);
  EXPECT_EQ(y.last_liquidity, 2);
}

TEST(TwsDecoderGolden, CommissionReport) {
  Decoder d(193);
  auto c = decode_as<CommissionReport>(d, "59|1|0001f4e5.58bbad52.01.01|2.25|USD|0.0|0.0||");
  EXPECT_EQ(c.exec_id, "0001f4e5.58bbad52.01.01");
  EXPECT_EQ(c.commission, 2.25);
  EXPECT_EQ(c.currency, "USD");
  EXPECT_EQ(c.yield_redemption_date, 0);
}

TEST(TwsDecoderGolden, Position) {
  Decoder d(193);
  auto p = decode_as<Position>(
      d, "61|3|DU1234567|76792991|TSLA|STK||0.0|||NASDAQ|USD|TSLA|NMS|500|196.77|");
  EXPECT_EQ(p.account, "DU1234567");
  EXPECT_EQ(p.contract.con_id, 76792991);
  EXPECT_EQ(p.contract.exchange, "NASDAQ");
  EXPECT_EQ(p.contract.trading_class, "NMS");
  EXPECT_EQ(p.position, 500);
  EXPECT_EQ(p.avg_cost, 196.77);
  decode_as<PositionEnd>(d, "62|1|");
}

TEST(TwsDecoderGolden, SecDefOptParams) {
  Decoder d(193);
  auto s = decode_as<SecDefOptParams>(
      d, "75|9000|NYSE|789456|GOOG|100|3|2023-06|2023-09|2023-12|3|100.5|110.0|120.5|");
  EXPECT_EQ(s.req_id, 9000);
  EXPECT_EQ(s.exchange, "NYSE");
  EXPECT_EQ(s.underlying_con_id, 789456);
  EXPECT_EQ(s.trading_class, "GOOG");
  EXPECT_EQ(s.multiplier, 100);
  EXPECT_EQ(s.expirations, (std::vector<std::string>{"2023-06", "2023-09", "2023-12"}));
  EXPECT_EQ(s.strikes, (std::vector<double>{100.5, 110.0, 120.5}));
  EXPECT_EQ(decode_as<SecDefOptParamsEnd>(d, "76|9000|").req_id, 9000);
}

TEST(TwsDecoder, StartupMessages) {
  Decoder d(193);
  EXPECT_EQ(decode_as<NextValidId>(d, "9|1|1000|").order_id, 1000);
  auto a = decode_as<ManagedAccounts>(d, "15|1|DU123456,DU7654321,|");
  EXPECT_EQ(a.accounts, (std::vector<std::string>{"DU123456", "DU7654321"}));
  EXPECT_EQ(decode_as<CurrentTime>(d, "49|1|1700000000|").epoch_s, 1700000000);
}

TEST(TwsDecoder, MarketDataAndGenericTicks) {
  Decoder d(193);
  auto p = decode_as<TickPrice>(d, "1|6|9004|1|4.25|12|1|");
  EXPECT_EQ(p.req_id, 9004);
  EXPECT_EQ(p.tick_type, 1);
  EXPECT_EQ(p.price, 4.25);
  EXPECT_EQ(p.size, 12);
  EXPECT_EQ(p.attr_mask, 1);
  // Thousands separators are not numbers (@stoqey/ib strips them; TWS does not send them).
  EXPECT_FALSE(d.decode(payload("2|6|9004|8|1,234|")));
  EXPECT_EQ(decode_as<TickSize>(d, "2|6|9004|27|1500|").size, 1500);
  EXPECT_EQ(decode_as<TickGeneric>(d, "45|6|9004|49|0|").tick_type, 49);
  EXPECT_EQ(decode_as<TickString>(d, "46|6|9004|45|1700000000|").value, "1700000000");
  EXPECT_EQ(decode_as<MarketDataType>(d, "58|1|9004|3|").type, 3);
  EXPECT_EQ(decode_as<TickSnapshotEnd>(d, "57|1|9004|").req_id, 9004);
  auto rp = decode_as<TickReqParams>(d, "81|9004|0.01|9c0001|3|");
  EXPECT_EQ(rp.min_tick, 0.01);
  EXPECT_EQ(rp.bbo_exchange, "9c0001");
  EXPECT_EQ(rp.snapshot_permissions, 3);
}

TEST(TwsDecoder, OptionComputationSentinelsAreUnset) {
  Decoder d(193);
  auto g =
      decode_as<TickOptionComputation>(d, "21|9004|13|1|0.2|0.55|6.1|0|0.03|0.12|-0.05|501.2|");
  EXPECT_EQ(g.tick_type, 13);
  EXPECT_EQ(g.tick_attrib, 1);
  EXPECT_EQ(g.implied_vol, 0.2);
  EXPECT_EQ(g.delta, 0.55);
  EXPECT_EQ(g.opt_price, 6.1);
  EXPECT_EQ(g.gamma, 0.03);
  EXPECT_EQ(g.theta, -0.05);
  EXPECT_EQ(g.und_price, 501.2);
  auto n = decode_as<TickOptionComputation>(
      d, "21|9004|10|0|-1|-2|-1|-1|-2|-2|-2|1.7976931348623157E308|");
  EXPECT_TRUE(std::isnan(n.implied_vol));
  EXPECT_TRUE(std::isnan(n.delta));
  EXPECT_TRUE(std::isnan(n.opt_price));
  EXPECT_TRUE(std::isnan(n.gamma));
  EXPECT_TRUE(std::isnan(n.und_price));
}

TEST(TwsDecoder, DepthL1AndL2WithSmartDepthGate) {
  Decoder d(193);
  auto l1 = decode_as<MarketDepth>(d, "12|1|9007|0|0|1|189.5|300|");
  EXPECT_FALSE(l1.level2);
  EXPECT_EQ(l1.side, DepthSide::kBid);
  EXPECT_EQ(l1.operation, DepthOperation::kInsert);
  auto l2 = decode_as<MarketDepth>(d, "13|1|9008|2|ARCA|1|0|189.52|200|1|");
  EXPECT_TRUE(l2.level2);
  EXPECT_EQ(l2.position, 2);
  EXPECT_EQ(l2.market_maker, "ARCA");
  EXPECT_EQ(l2.operation, DepthOperation::kUpdate);
  EXPECT_EQ(l2.side, DepthSide::kAsk);
  EXPECT_EQ(l2.price, 189.52);
  EXPECT_EQ(l2.size, 200);
  EXPECT_TRUE(l2.smart_depth);
  auto x = decode_as<MktDepthExchanges>(
      d, "80|2|ISLAND|STK|NASDAQ|Deep2|1|ARCA|STK|NYSE|Deep|2147483647|");
  ASSERT_EQ(x.exchanges.size(), 2u);
  EXPECT_EQ(x.exchanges[0].service_data_type, "Deep2");
  EXPECT_EQ(x.exchanges[0].agg_group, 1);
  EXPECT_EQ(x.exchanges[1].agg_group, 0);
}

// A contract-details frame at a given version: lastTradeDate from 182, ineligibility from 186.
std::string contract_details_frame(int v) {
  std::string f = "10|9002|SPY|OPT|20250117 16:00:00 US/Eastern|";
  if (v >= 182) f += "20250117|";
  f += "500|C|SMART|USD|SPY   250117C00500000|SPY|SPY|712345678|0.01|100|ACTIVETIM,LMT,MKT|"
       "SMART,CBOE|1|756733|SPDR S&P 500 ETF TRUST|||Index|Broad|Large|US/Eastern|"
       "20250117:0930-20250117:1615|20250117:0930-20250117:1615||0|1|ISIN|US78462F1030|1|SPY|STK|"
       "32,32|20250117|ETF|1|1|1|";
  if (v >= 186) f += "1|IR1|Not eligible|";
  return f;
}

TEST(TwsDecoderGates, ContractDetailsAt193_186_176) {
  for (int v : {193, 186, 176}) {
    Decoder d(v);
    auto c = decode_as<ContractDetails>(d, contract_details_frame(v));
    EXPECT_EQ(c.req_id, 9002) << v;
    EXPECT_EQ(c.contract.last_trade_date_or_contract_month, "20250117") << v;
    EXPECT_EQ(c.last_trade_time, "16:00:00 US/Eastern") << v;
    EXPECT_EQ(c.last_trade_date, v >= 182 ? "20250117" : "") << v;
    EXPECT_EQ(c.contract.strike, 500) << v;
    EXPECT_EQ(c.contract.con_id, 712345678) << v;
    EXPECT_EQ(c.min_tick, 0.01) << v;
    EXPECT_EQ(c.contract.multiplier, "100") << v;
    EXPECT_EQ(c.under_con_id, 756733) << v;
    EXPECT_EQ(c.long_name, "SPDR S&P 500 ETF TRUST") << v;
    ASSERT_EQ(c.sec_ids.size(), 1u) << v;
    EXPECT_EQ(c.sec_ids[0].second, "US78462F1030") << v;
    EXPECT_EQ(c.market_rule_ids, "32,32") << v;
    EXPECT_EQ(c.stock_type, "ETF") << v;
    EXPECT_EQ(c.suggested_size_increment, 1) << v;
    EXPECT_EQ(c.ineligibility_reasons.size(), v >= 186 ? 1u : 0u) << v;
  }
  // A 193 frame read as 176 misplaces every field after the date: strike becomes "20250117"
  // and right becomes "500", so the gate matters; it must not crash either way.
  Decoder d176(176);
  auto m = d176.decode(payload(contract_details_frame(193)));
  if (m) {
    ASSERT_TRUE(std::holds_alternative<ContractDetails>(*m));
    EXPECT_NE(std::get<ContractDetails>(*m).contract.right, "C");
  }
}

TEST(TwsDecoder, OpenOrderReadsToPermIdAndSkipsTheRest) {
  Decoder d(193);
  auto o = decode_as<OpenOrder>(
      d,
      "5|1000|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|BUY|100|LMT|189.5|0.0|DAY||DU123456|O|0|"
      "strat-1|18|1376327563|0|0|0||||||0|whatever|follows|here|1|2|3|");
  EXPECT_EQ(o.order_id, 1000);
  EXPECT_EQ(o.contract.con_id, 265598);
  EXPECT_EQ(o.contract.symbol, "AAPL");
  EXPECT_EQ(o.action, "BUY");
  EXPECT_EQ(o.total_quantity, 100);
  EXPECT_EQ(o.order_type, "LMT");
  EXPECT_EQ(o.lmt_price, 189.5);
  EXPECT_EQ(o.tif, "DAY");
  EXPECT_EQ(o.account, "DU123456");
  EXPECT_EQ(o.order_ref, "strat-1");
  EXPECT_EQ(o.client_id, 18);
  EXPECT_EQ(o.perm_id, 1376327563);
  decode_as<OpenOrderEnd>(d, "53|1|");
  auto b = decode_as<OrderBound>(d, "100|1376327563|0|-5|");
  EXPECT_EQ(b.order_id, -5);
}

TEST(TwsDecoder, AccountMessages) {
  Decoder d(193);
  auto v = decode_as<AccountValue>(d, "6|2|NetLiquidation|100000.5|USD|DU123456|");
  EXPECT_EQ(v.key, "NetLiquidation");
  EXPECT_EQ(v.account, "DU123456");
  auto pf = decode_as<PortfolioValue>(
      d, "7|8|265598|AAPL|STK||0|||NASDAQ|USD|AAPL|NMS|100|190.1|19010|189.5|60|0|DU123456|");
  EXPECT_EQ(pf.position, 100);
  EXPECT_EQ(pf.unrealized_pnl, 60);
  EXPECT_EQ(pf.account, "DU123456");
  EXPECT_EQ(decode_as<AccountUpdateTime>(d, "8|1|14:30|").time, "14:30");
  EXPECT_EQ(decode_as<AccountDownloadEnd>(d, "54|1|DU123456|").account, "DU123456");
  auto s = decode_as<AccountSummary>(d, "63|1|9001|DU123456|BuyingPower|400000|USD|");
  EXPECT_EQ(s.tag, "BuyingPower");
  EXPECT_EQ(decode_as<AccountSummaryEnd>(d, "64|1|9001|").req_id, 9001);
  EXPECT_EQ(decode_as<ExecDetailsEnd>(d, "55|1|9010|").req_id, 9010);
  EXPECT_EQ(decode_as<ContractDetailsEnd>(d, "52|1|9002|").req_id, 9002);
}

TEST(TwsDecoder, UnknownIdsAreSkippedAndCounted) {
  Decoder d(193);
  EXPECT_EQ(decode_as<UnknownMessage>(d, "17|1|<xml/>|").id, 17);
  EXPECT_EQ(decode_as<UnknownMessage>(d, "107|whatever|").id, 107);
  decode_as<CurrentTime>(d, "49|1|5|");
  EXPECT_EQ(d.stats().unknown, 2u);
  EXPECT_EQ(d.stats().decoded, 3u);
  EXPECT_EQ(d.stats().last_unknown_id, 107);
  EXPECT_EQ(d.stats().rejected, 0u);
}

}  // namespace
}  // namespace harrier::tws
