// Fail closed (issue #5): a broker that never answers makes the order's state unknown, halts
// new entries for that symbol, counts it, and raises stream:alert; exits still go through for
// a halted symbol.
#include "execute_test_util.h"

namespace harrier::execute_test {
namespace {

using bus::keys::Stream;

class ExecuteFailClosed : public ExecuteSuite {};

TEST_F(ExecuteFailClosed, SilentBrokerHaltsTheSymbolAndRaisesAnAlert) {
  Process& p2 = start_p2({"broker.paper_silent_symbols=SPY", "broker.order_timeout_ms=300"});
  write_seals("SPY", kOpen);
  const std::string id = "ema_rsi_confluence-SPY-buy-1m-1381152600";
  ASSERT_TRUE(eventually([&] { return hget("order:" + id, "state") == "unknown"; })) << p2.log();
  // P2 writes the order's state, then the halt, then the alert: one round trip apart each.
  EXPECT_TRUE(eventually([&] { return hget("engine_state:SPY:buy", "halted") == "1"; }));
  EXPECT_EQ(hget("engine_state:SPY:buy", "halt_reason"), "order_state_unknown:" + id);
  EXPECT_TRUE(eventually([&] { return !range(Stream::kAlert).empty(); }));
  auto alerts = range(Stream::kAlert);
  ASSERT_EQ(alerts.size(), 1u);
  auto a = bus::decode_alert(alerts[0].fields);
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->kind, "order_state_unknown");
  EXPECT_EQ(a->sym, "SPY");
  EXPECT_NE(a->detail.find(id), std::string::npos);
  EXPECT_TRUE(
      eventually([&] { return metric("orders_unknown") == 1 && metric("halted_symbols") == 1; }));
  EXPECT_NE(p2.log().find("state unknown"), std::string::npos);

  // The next bar passes every gate, but the symbol is halted: no new order.
  write_seals("SPY", kOpen + kMinute);
  ASSERT_TRUE(eventually([&] {
    return hget("engine_state:SPY:buy", "last_bar_ns") == std::to_string(kOpen + kMinute);
  }));
  EXPECT_EQ(hget("engine_state:SPY:buy", "last_decision"), "halted");
  EXPECT_EQ(keys("order:*").size(), 1u);
  EXPECT_EQ(p2.terminate(), 0);
}

TEST_F(ExecuteFailClosed, ExitsStillGoThroughForAHaltedSymbol) {
  // An earlier run halted SPY while holding 100 shares.
  const std::string entry = "ema_rsi_confluence-SPY-buy-1m-1381152000";
  ASSERT_TRUE(command({"HSET", "engine_state:SPY:buy", "last_decision", "halted", "last_bar_ns",
                       "1381152000000000000", "halted", "1", "halt_reason",
                       "order_state_unknown:other", "updated_ns", "1"}));
  ASSERT_TRUE(command({"HSET", "position:SPY", "qty", "100", "avg_price", "100.5", "entry_order_id",
                       entry, "opened_ns", "5", "updated_ns", "5"}));
  ASSERT_TRUE(command({"HSET", "paper:positions", "SPY", "100"}));
  ASSERT_TRUE(command({"HSET", "quote:SPY", "bid", "101", "ask", "101.02", "bid_size", "500",
                       "ask_size", "500", "last", "101.01", "ts_ns", "9"}));
  Process& p2 = start_p2();
  exit_fire("SPY", "trailing_stop", kOpen);
  ASSERT_TRUE(eventually([&] { return !hash("position:SPY").has_value(); })) << p2.log();
  EXPECT_EQ(hget("order:x-" + entry, "state"), "filled");
  EXPECT_EQ(hget("order:x-" + entry, "avg_fill_price"), "101");
  EXPECT_EQ(hget("paper:positions", "SPY"), "");
  EXPECT_EQ(hget("engine_state:SPY:buy", "halted"), "1");  // still halted for entries
  EXPECT_EQ(p2.terminate(), 0);
}

}  // namespace
}  // namespace harrier::execute_test
