// Golden frames: every frame captured from @stoqey/ib 1.6.10 in §10 of the TWS reference
// (/work/shared/reference/tws-protocol.md, copied into docs/tws.md) must come out of the
// encoder byte for byte at server version 193, and the version gates of §1.1 must change the
// bytes at 176 and 186. No live TWS is reachable here: these are the captured bytes.
#include "broker/tws/encoder.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "broker/tws/handshake.h"
#include "broker/tws/test_util.h"
#include "broker/tws/wire.h"

namespace harrier::tws {
namespace {

using testing::frame;
using testing::pipes;

Contract spy_call() {
  Contract c;
  c.symbol = "SPY";
  c.sec_type = "OPT";
  c.last_trade_date_or_contract_month = "20250117";
  c.strike = 500;
  c.right = "C";
  c.multiplier = "100";
  c.exchange = "SMART";
  c.currency = "USD";
  return c;
}

Contract aapl(std::string exchange) {
  Contract c;
  c.symbol = "AAPL";
  c.sec_type = "STK";
  c.exchange = std::move(exchange);
  c.currency = "USD";
  return c;
}

// Encodes with `fn` and returns the frame in pipe notation, failing the test on an error.
template <typename Fn>
std::string enc(int server_version, Fn fn) {
  Encoder e(server_version);
  std::string out;
  Status s = fn(e, out);
  EXPECT_TRUE(s) << (s ? "" : s.error().to_string());
  return pipes(out);
}

TEST(TwsEncoderGolden, CapturedFramesAt193) {
  const int v = 193;
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.req_current_time(o); }), "49|1|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.req_ids(o, 1); }), "8|1|1|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.req_positions(o); }), "61|1|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.req_open_orders(o); }), "5|1|");
  EXPECT_EQ(enc(v,
                [](auto& e, auto& o) {
                  return e.req_account_summary(o, 9001, "All", "NetLiquidation,BuyingPower");
                }),
            "62|1|9001|All|NetLiquidation,BuyingPower|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.req_account_updates(o, true, "DU123456"); }),
            "6|2|1|DU123456|");
  EXPECT_EQ(enc(v,
                [](auto& e, auto& o) {
                  return e.req_contract_details(o, {9002, spy_call()});
                }),
            "9|8|9002||SPY|OPT|20250117|500|C|100|SMART||USD|||||||");
  EXPECT_EQ(enc(v,
                [](auto& e, auto& o) {
                  return e.req_sec_def_opt_params(o, {9003, "SPY", "", "STK", 756733});
                }),
            "78|9003|SPY||STK|756733|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.req_market_data_type(o, 1); }), "59|1|1|");
  EXPECT_EQ(enc(v,
                [](auto& e, auto& o) {
                  MktDataRequest r{9004, spy_call(), "100,101,106", false, false};
                  return e.req_mkt_data(o, r);
                }),
            "1|11|9004||SPY|OPT|20250117|500|C|100|SMART||USD|||0|100,101,106|0|0||");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.cancel_mkt_data(o, 9004); }), "2|1|9004|");
  EXPECT_EQ(enc(v,
                [](auto& e, auto& o) {
                  TickByTickRequest r{9005, aapl("SMART"), TickByTickType::kLast, 0, false};
                  return e.req_tick_by_tick_data(o, r);
                }),
            "97|9005||AAPL|STK|||||SMART||USD|||Last|0|0|");
  EXPECT_EQ(enc(v,
                [](auto& e, auto& o) {
                  TickByTickRequest r{9006, aapl("SMART"), TickByTickType::kBidAsk, 0, true};
                  return e.req_tick_by_tick_data(o, r);
                }),
            "97|9006||AAPL|STK|||||SMART||USD|||BidAsk|0|1|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.cancel_tick_by_tick_data(o, 9005); }),
            "98|9005|");
  EXPECT_EQ(enc(v,
                [](auto& e, auto& o) {
                  return e.req_mkt_depth(o, {9007, aapl("ISLAND"), 10, false});
                }),
            "10|5|9007||AAPL|STK|||||ISLAND||USD|||10|0||");
  EXPECT_EQ(enc(v,
                [](auto& e, auto& o) {
                  return e.req_mkt_depth(o, {9008, aapl("SMART"), 10, true});
                }),
            "10|5|9008||AAPL|STK|||||SMART||USD|||10|1||");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.cancel_mkt_depth(o, 9007, false); }),
            "11|1|9007|0|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.cancel_mkt_depth(o, 9008, true); }),
            "11|1|9008|1|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.cancel_order(o, 1000); }),
            "4|1000|||2147483647|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.req_all_open_orders(o); }), "16|1|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.req_managed_accts(o); }), "17|1|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.cancel_positions(o); }), "64|1|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.cancel_account_summary(o, 9001); }),
            "63|1|9001|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.req_mkt_depth_exchanges(o); }), "82|");
}

TEST(TwsEncoderGolden, Section3ExamplesAt193) {
  const int v = 193;
  EXPECT_EQ(enc(v,
                [](auto& e, auto& o) {
                  ExecutionFilter f{7,       "DU123456", "20250101-09:30:00", "AAPL", "STK",
                                    "SMART", "BUY"};
                  return e.req_executions(o, 9010, f);
                }),
            "7|3|9010|7|DU123456|20250101-09:30:00|AAPL|STK|SMART|BUY|");
  EXPECT_EQ(enc(v, [](auto& e, auto& o) { return e.req_completed_orders(o, false); }), "99|0|");
  EXPECT_EQ(enc(v, [](auto&, auto& o) { return encode_start_api(o, 193, 0); }), "71|2|0||");
}

// Splits a pipe-notation payload into its fields (the trailing '|' ends the last one).
std::vector<std::string> fields_of(const std::string& p) {
  std::vector<std::string> f;
  std::string cur;
  for (char c : p) {
    if (c == '|') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  EXPECT_TRUE(cur.empty()) << "unterminated last field";
  return f;
}

Order aapl_lmt() {
  Order o;
  o.order_id = 1000;
  o.action = "BUY";
  o.total_quantity = 100;
  o.order_type = "LMT";
  o.lmt_price = 189.5;
  o.tif = "DAY";
  o.order_ref = "strat-1";
  return o;
}

// §3.1: BUY 100 AAPL LMT 189.5 DAY, orderRef strat-1, captured as 118 fields of which these
// (1-based) are non-empty.
TEST(TwsEncoderGolden, PlaceOrderStockLimitAt193) {
  std::string p =
      enc(193, [](auto& e, auto& o) { return e.place_order(o, aapl("SMART"), aapl_lmt()); });
  auto f = fields_of(p);
  ASSERT_EQ(f.size(), 118u) << p;
  std::map<int, std::string> want = {{1, "3"},      {2, "1000"},   {4, "AAPL"}, {5, "STK"},
                                     {10, "SMART"}, {12, "USD"},   {17, "BUY"}, {18, "100"},
                                     {19, "LMT"},   {20, "189.5"}, {22, "DAY"}, {27, "strat-1"},
                                     {28, "1"},     {34, "0"},     {82, "0"},   {90, "0"}};
  for (int i = 1; i <= 118; ++i) {
    auto it = want.find(i);
    EXPECT_EQ(f[static_cast<std::size_t>(i - 1)], it == want.end() ? "" : it->second)
        << "field #" << i;
  }
}

// The OPT MKT example additionally fills #6..#9 and leaves #20 (lmtPrice) empty.
TEST(TwsEncoderGolden, PlaceOrderOptionMarketAt193) {
  Order o = aapl_lmt();
  o.order_type = "MKT";
  o.lmt_price = kUnset;
  std::string p = enc(193, [&](auto& e, auto& out) { return e.place_order(out, spy_call(), o); });
  auto f = fields_of(p);
  ASSERT_EQ(f.size(), 118u);
  EXPECT_EQ(f[5], "20250117");
  EXPECT_EQ(f[6], "500");
  EXPECT_EQ(f[7], "C");
  EXPECT_EQ(f[8], "100");
  EXPECT_EQ(f[18], "MKT");
  EXPECT_EQ(f[19], "");
}

// Version gates of §1.1 at 186 and 176.
TEST(TwsEncoderGates, PlaceOrderFieldCountFollowsVersion) {
  auto count = [](int v) {
    return fields_of(
               enc(v, [](auto& e, auto& o) { return e.place_order(o, aapl("SMART"), aapl_lmt()); }))
        .size();
  };
  // 186: no includeOvernight (189) and no manualOrderIndicator (192); customerAccount (183)
  // and professionalCustomer (184) present; faProfile gone (177).
  EXPECT_EQ(count(186), 116u);
  // 176: faProfile back (+1), no customerAccount / professionalCustomer (-2).
  EXPECT_EQ(count(176), 115u);
  // faProfile sits right after faPercentage (#42) at 176: the orderRef position is unchanged
  // and modelCode moves one place.
  auto f176 = fields_of(
      enc(176, [](auto& e, auto& o) { return e.place_order(o, aapl("SMART"), aapl_lmt()); }));
  EXPECT_EQ(f176[26], "strat-1");
  EXPECT_EQ(f176[82], "0");  // delta-neutral flag, #82 at 193, #83 at 176
  EXPECT_EQ(f176[90], "0");  // conditions count, #90 at 193, #91 at 176
}

TEST(TwsEncoderGates, CancelOrderVersionField) {
  EXPECT_EQ(enc(186, [](auto& e, auto& o) { return e.cancel_order(o, 1000); }), "4|1|1000||");
  EXPECT_EQ(enc(176, [](auto& e, auto& o) { return e.cancel_order(o, 1000); }), "4|1|1000||");
}

TEST(TwsEncoderGates, ContractDetailsIssuerIdFrom176) {
  // issuerId arrived at 176 (BOND_ISSUERID): same bytes at 176, 186 and 193.
  for (int v : {176, 186, 193}) {
    EXPECT_EQ(enc(v,
                  [](auto& e, auto& o) {
                    return e.req_contract_details(o, {9002, spy_call()});
                  }),
              "9|8|9002||SPY|OPT|20250117|500|C|100|SMART||USD|||||||")
        << v;
  }
}

TEST(TwsEncoder, NulInAFieldIsRejectedAndNothingIsAppended) {
  Encoder e(193);
  std::string out = "keep";
  Contract c = aapl("SMART");
  c.symbol = std::string("AA\0PL", 5);
  Status s = e.req_mkt_depth(out, {1, c, 10, false});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(s.error().message().find("reqMktDepth"), std::string::npos);
  EXPECT_NE(s.error().message().find("field 5"), std::string::npos) << s.error().message();
  EXPECT_EQ(out, "keep");
}

TEST(TwsEncoder, RejectsMalformedOrders) {
  Encoder e(193);
  std::string out;
  Order o = aapl_lmt();
  o.action = "HOLD";
  EXPECT_FALSE(e.place_order(out, aapl("SMART"), o));
  o = aapl_lmt();
  o.total_quantity = 0;
  EXPECT_FALSE(e.place_order(out, aapl("SMART"), o));
  o = aapl_lmt();
  o.order_type.clear();
  EXPECT_FALSE(e.place_order(out, aapl("SMART"), o));
  EXPECT_TRUE(out.empty());
}

TEST(TwsEncoder, NumbersUseShortestPlainDecimal) {
  std::string out;
  FrameWriter w(out, "t");
  w.dbl(100000).dbl(189.5).dbl(0.0001).dbl(-2.25).dbl(1e21).dbl(kUnset).dbl(0);
  ASSERT_TRUE(w.finish());
  EXPECT_EQ(pipes(out), "100000|189.5|0.0001|-2.25|1e+21||0|");
}

}  // namespace
}  // namespace harrier::tws
