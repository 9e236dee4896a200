// Issue #5 "what must show" 3: P2 killed after reading a bar but before acknowledging it, then
// restarted, evaluates the bar again and sends no second order. The kill comes from the test
// hook execute.test_exit_before_ack (SIGKILL right after the decisions are recorded, before the
// XACK); with a batch of several symbols, every one of them is evaluated again.
#include "execute_test_util.h"

namespace harrier::execute_test {
namespace {

using bus::keys::Stream;

class ExecuteRedelivery : public ExecuteSuite {};

const std::string kEntryId = "ema_rsi_confluence-SPY-buy-1m-1381152600";

TEST_F(ExecuteRedelivery, KilledBeforeAckRestartedEvaluatesAgainWithoutASecondOrder) {
  Process& first = start_p2({"execute.test_exit_before_ack=true"});
  // The 5m entry is read and acknowledged on its own before the trigger bar arrives, so only
  // the trigger bar is left pending by the kill.
  write_context_seal("SPY", kOpen);
  ASSERT_TRUE(eventually([&] { return metric("bars_ignored") == 1; })) << first.log();
  write_trigger_seal("SPY", kOpen);
  auto st = first.wait(10000);
  ASSERT_TRUE(st) << "P2 did not die\n" << first.log();
  EXPECT_EQ(*st, 128 + SIGKILL);
  // The decision and the fill were recorded, the trigger bar was not acknowledged.
  EXPECT_EQ(hget("engine_state:SPY:buy", "last_decision"), "entered");
  EXPECT_EQ(hget("order:" + kEntryId, "state"), "filled");
  EXPECT_EQ(hget("paper:positions", "SPY"), "100");
  EXPECT_EQ(pending(Stream::kNewBar), 1);
  const std::string decided_at = hget("engine_state:SPY:buy", "updated_ns");

  Process& second = start_p2();
  ASSERT_TRUE(eventually([&] { return pending(Stream::kNewBar) == 0; })) << second.log();
  // Evaluated again: a new decision over the same bar, which now sees the open position.
  EXPECT_EQ(hget("engine_state:SPY:buy", "last_decision"), "skipped:not_flat");
  EXPECT_EQ(hget("engine_state:SPY:buy", "last_bar_ns"), std::to_string(kOpen));
  EXPECT_NE(hget("engine_state:SPY:buy", "updated_ns"), decided_at);
  EXPECT_TRUE(eventually([&] {
    return metric("redeliveries") == 1 && metric("bars_evaluated") == 1 &&
           metric("orders_submitted") == 0;
  })) << heartbeat().value_or("no heartbeat");
  // No second order, no second fill.
  EXPECT_EQ(keys("order:*"), std::vector<std::string>{"order:" + kEntryId});
  EXPECT_EQ(hget("paper:positions", "SPY"), "100");
  EXPECT_EQ(hget("position:SPY", "qty"), "100");
  EXPECT_EQ(range(Stream::kEntryFire).size(), 1u);
  EXPECT_EQ(second.terminate(), 0) << second.log();
}

TEST_F(ExecuteRedelivery, AnOrderLostWithTheProcessIsNeverResentAndHaltsTheSymbol) {
  // The broker holds the fill for a minute, so the order dies with the process unfilled.
  Process& first = start_p2({"execute.test_exit_before_ack=true", "broker.latency_ms=60000"});
  write_context_seal("SPY", kOpen);
  ASSERT_TRUE(eventually([&] { return metric("bars_ignored") == 1; })) << first.log();
  write_trigger_seal("SPY", kOpen);
  ASSERT_TRUE(first.wait(10000)) << first.log();
  EXPECT_EQ(hget("order:" + kEntryId, "state"), "submitted");
  EXPECT_EQ(pending(Stream::kNewBar), 1);

  Process& second = start_p2();
  ASSERT_TRUE(eventually([&] { return pending(Stream::kNewBar) == 0; })) << second.log();
  // The redelivered bar passes the gates again, finds order:{id} from the dead run in a state
  // nobody can vouch for, and fails closed instead of guessing.
  EXPECT_EQ(hget("engine_state:SPY:buy", "last_decision"), "halted");
  EXPECT_EQ(hget("engine_state:SPY:buy", "halted"), "1");
  EXPECT_EQ(hget("order:" + kEntryId, "state"), "unknown");
  EXPECT_EQ(keys("order:*").size(), 1u);
  EXPECT_FALSE(hash("paper:positions"));
  auto alerts = range(Stream::kAlert);
  ASSERT_EQ(alerts.size(), 1u);
  auto a = bus::decode_alert(alerts[0].fields);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, "order_state_unknown");
  EXPECT_EQ(a->sym, "SPY");
  EXPECT_EQ(second.terminate(), 0);
}

TEST_F(ExecuteRedelivery, ABatchKilledBeforeAckIsEvaluatedAgainWholeWithoutSecondOrders) {
  const std::vector<std::string> syms = {"SPY", "QQQ", "IWM"};
  // Written before P2 starts, so its first reply holds all six entries: the batch's decisions
  // are recorded together, then the kill comes before the XACK.
  for (const auto& sym : syms) write_seals(sym, kOpen);
  Process& first = start_p2({"execute.test_exit_before_ack=true"}, false);
  auto st = first.wait(10000);
  ASSERT_TRUE(st) << "P2 did not die\n" << first.log();
  EXPECT_EQ(*st, 128 + SIGKILL);
  EXPECT_EQ(pending(Stream::kNewBar), 6);  // nothing acknowledged, not even the 5m entries
  for (const auto& sym : syms) {
    EXPECT_EQ(hget("engine_state:" + sym + ":buy", "last_decision"), "entered") << sym;
    EXPECT_EQ(hget("paper:positions", sym), "100") << sym;
  }

  Process& second = start_p2();
  ASSERT_TRUE(eventually([&] { return pending(Stream::kNewBar) == 0; })) << second.log();
  for (const auto& sym : syms) {
    EXPECT_EQ(hget("engine_state:" + sym + ":buy", "last_decision"), "skipped:not_flat") << sym;
    EXPECT_EQ(hget("position:" + sym, "qty"), "100") << sym;
  }
  EXPECT_EQ(keys("order:*").size(), syms.size());
  EXPECT_EQ(range(Stream::kEntryFire).size(), syms.size());
  EXPECT_TRUE(eventually([&] {
    return metric("redeliveries") == 6 && metric("bars_evaluated") == 3 &&
           metric("orders_submitted") == 0 && metric("bundle_batches") == 1;
  })) << heartbeat().value_or("no heartbeat");
  EXPECT_EQ(second.terminate(), 0) << second.log();
}

}  // namespace
}  // namespace harrier::execute_test
