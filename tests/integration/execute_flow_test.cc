// `harrier execute` as a separate process against a real redis-server, fed seals with real
// Arrow bytes: an entry is placed and filled (order, position, paper account, entry_fire,
// engine_state, acknowledgements); failing gates place nothing; exit_fire closes the position
// with exactly one exit order; a watchdog flatten sells what only the paper account holds;
// an order larger than the displayed size fills in parts; the new_bar entries of several symbols
// read in one XREADGROUP reply are evaluated as one batch (one bundle pipeline), every decision
// recorded and every entry acknowledged, and a bad bundle in the batch spoils only its own; the
// batch's orders are created with NX in one pipeline (an order that exists already is found so,
// and only the created ones are sent), its exit_fire entries likewise; the broker's events of one
// poll are written by one script that stops at an event it cannot write, leaving exactly that
// event and those after it for the retry; a burst longer than one read is read ahead in the
// round trip that writes each batch's fills and decisions.
#include "execute_test_util.h"

namespace harrier::execute_test {
namespace {

using bus::keys::Stream;

class ExecuteFlow : public ExecuteSuite {};

const std::string kEntryId = "ema_rsi_confluence-SPY-buy-1m-1381152600";

TEST_F(ExecuteFlow, EntryIsPlacedFilledAndPublished) {
  Process& p2 = start_p2();
  write_seals("SPY", kOpen);
  ASSERT_TRUE(eventually([&] { return hget("position:SPY", "qty") == "100"; })) << p2.log();
  EXPECT_EQ(hget("position:SPY", "avg_price"), "100.01");  // the ask, no slippage
  EXPECT_EQ(hget("position:SPY", "entry_order_id"), kEntryId);

  auto order = hash("order:" + kEntryId);
  ASSERT_TRUE(order);
  std::map<std::string, std::string> o(order->begin(), order->end());
  EXPECT_EQ(o["sym"], "SPY");
  EXPECT_EQ(o["side"], "buy");
  EXPECT_EQ(o["qty"], "100");
  EXPECT_EQ(o["type"], "MKT");
  EXPECT_EQ(o["purpose"], "entry");
  EXPECT_EQ(o["strategy"], "ema_rsi_confluence");
  EXPECT_EQ(o["iv"], "1m");
  EXPECT_EQ(o["bar_start_ns"], std::to_string(kOpen));
  EXPECT_EQ(o["state"], "filled");
  EXPECT_EQ(o["filled_qty"], "100");
  EXPECT_EQ(o["avg_fill_price"], "100.01");
  EXPECT_EQ(keys("order:*").size(), 1u);

  EXPECT_EQ(hget("paper:positions", "SPY"), "100");
  auto fires = range(Stream::kEntryFire);
  ASSERT_EQ(fires.size(), 1u);
  auto ef = bus::decode_entry_fire(fires[0].fields);
  ASSERT_TRUE(ef) << ef.error().to_string();
  EXPECT_EQ(ef->qty, 100);
  EXPECT_EQ(ef->price, 100.01);
  EXPECT_EQ(ef->client_order_id, kEntryId);

  EXPECT_EQ(hget("engine_state:SPY:buy", "last_decision"), "entered");
  EXPECT_EQ(hget("engine_state:SPY:buy", "last_bar_ns"), std::to_string(kOpen));
  EXPECT_EQ(hget("engine_state:SPY:buy", "halted"), "0");
  // Both new_bar entries (5m read but not evaluated, 1m evaluated) are acknowledged.
  EXPECT_TRUE(eventually([&] { return pending(Stream::kNewBar) == 0; }));
  EXPECT_TRUE(eventually([&] {
    return metric("bars_evaluated") == 1 && metric("bars_ignored") == 1 && metric("fills") == 1 &&
           metric("entries") == 1 && metric("orders_submitted") == 1;
  })) << heartbeat().value_or("no heartbeat");
  EXPECT_EQ(p2.terminate(), 0) << p2.log();
}

TEST_F(ExecuteFlow, FailingGatesPlaceNoOrder) {
  Process& p2 = start_p2();
  Gates down;
  down.ema9_5m = 99.0;  // 5m EMA9 below EMA21
  write_seals("SPY", kOpen, down);
  ASSERT_TRUE(eventually([&] {
    return hget("engine_state:SPY:buy", "last_decision") == "skipped:ema_5m";
  })) << p2.log();
  Gates hot;
  hot.rsi = 85;  // outside [50, 70]
  write_seals("SPY", kOpen + kMinute, hot);
  ASSERT_TRUE(
      eventually([&] { return hget("engine_state:SPY:buy", "last_decision") == "skipped:rsi"; }));
  Gates stale;
  stale.quote_age = 2500 * kNsPerMs;  // max_quote_age_ms is 2000
  write_seals("SPY", kOpen + 2 * kMinute, stale);
  ASSERT_TRUE(eventually(
      [&] { return hget("engine_state:SPY:buy", "last_decision") == "skipped:stale_quote"; }));
  Gates wide;
  wide.bid = 99.80;  // 30 bps
  write_seals("SPY", kOpen + 3 * kMinute, wide);
  ASSERT_TRUE(eventually(
      [&] { return hget("engine_state:SPY:buy", "last_decision") == "skipped:spread"; }));
  EXPECT_TRUE(eventually([&] { return pending(Stream::kNewBar) == 0; }));
  EXPECT_TRUE(keys("order:*").empty());
  EXPECT_TRUE(range(Stream::kEntryFire).empty());
  EXPECT_FALSE(hash("paper:positions"));
  EXPECT_EQ(p2.terminate(), 0);
}

TEST_F(ExecuteFlow, ExitFireClosesThePositionWithExactlyOneExitOrder) {
  Process& p2 = start_p2();
  write_seals("SPY", kOpen);
  ASSERT_TRUE(eventually([&] { return hget("position:SPY", "qty") == "100"; })) << p2.log();
  exit_fire("SPY", "trailing_stop", kOpen + 2 * kMinute);
  ASSERT_TRUE(eventually([&] { return !hash("position:SPY").has_value(); })) << p2.log();
  // A second exit_fire for the same position (P3 is at-least-once too) sends nothing.
  exit_fire("SPY", "trailing_stop", kOpen + 3 * kMinute);
  EXPECT_TRUE(eventually(
      [&] { return pending(Stream::kExitFire) == 0 && range(Stream::kExitFire).size() == 2; }));
  EXPECT_TRUE(eventually([&] { return metric("exits") == 1; }));
  const std::string exit_id = "x-" + kEntryId;
  EXPECT_EQ(keys("order:x-*"), std::vector<std::string>{"order:" + exit_id});
  EXPECT_EQ(keys("order:*").size(), 2u);
  EXPECT_EQ(hget("order:" + exit_id, "side"), "sell");
  EXPECT_EQ(hget("order:" + exit_id, "qty"), "100");
  EXPECT_EQ(hget("order:" + exit_id, "purpose"), "exit");
  EXPECT_EQ(hget("order:" + exit_id, "state"), "filled");
  EXPECT_EQ(hget("order:" + exit_id, "avg_fill_price"), "100");  // the bid
  EXPECT_EQ(hget("paper:positions", "SPY"), "");                 // flat: field deleted
  EXPECT_EQ(range(Stream::kEntryFire).size(), 1u);               // exits publish no entry_fire
  EXPECT_EQ(p2.terminate(), 0);
}

// A stop crossed by a quote from before its position's fill could not fire before the fill:
// trigger_to_exit_us times the exit from the crossing quote, armed_to_exit_us from the fill.
// Both are timed only for a live-like trigger_ns (within a minute of the wall clock).
TEST_F(ExecuteFlow, AnExitIsTimedFromItsTriggerAndFromWhenItsStopCouldFire) {
  Process& p2 = start_p2();
  write_seals("SPY", kOpen);
  ASSERT_TRUE(eventually([&] { return hget("position:SPY", "qty") == "100"; })) << p2.log();
  const TimestampNs opened = std::stoll(hget("position:SPY", "opened_ns"));
  const TimestampNs now = SystemClock::instance().now_ns();
  ASSERT_GT(opened, now - 10 * kNsPerSec);  // the paper broker's fill: wall time
  exit_fire("SPY", "trailing_stop", opened - 30 * kNsPerSec);
  ASSERT_TRUE(eventually([&] { return histogram_n("armed_to_exit_us") == 1; }))
      << heartbeat().value_or("no heartbeat");
  EXPECT_EQ(histogram_n("trigger_to_exit_us"), 1);
  EXPECT_GE(histogram_field("trigger_to_exit_us", "max"), 30e6 * 0.875);  // log-linear buckets
  EXPECT_LT(histogram_field("armed_to_exit_us", "max"), 10e6);
  EXPECT_EQ(p2.terminate(), 0);
}

TEST_F(ExecuteFlow, WatchdogFlattenSellsWhatOnlyThePaperAccountHolds) {
  ASSERT_TRUE(command({"HSET", "paper:positions", "QQQ", "50"}));
  ASSERT_TRUE(command({"HSET", "quote:QQQ", "bid", "380", "ask", "380.02", "bid_size", "500",
                       "ask_size", "500", "last", "380.01", "ts_ns", "1"}));
  Process& p2 = start_p2();
  exit_fire("QQQ", "watchdog_flatten", 777);
  ASSERT_TRUE(eventually([&] { return hget("paper:positions", "QQQ").empty(); })) << p2.log();
  EXPECT_EQ(hget("order:x-flat-QQQ-777", "state"), "filled");
  EXPECT_EQ(hget("order:x-flat-QQQ-777", "side"), "sell");
  EXPECT_EQ(hget("order:x-flat-QQQ-777", "qty"), "50");
  EXPECT_FALSE(hash("position:QQQ"));  // P2 never owned it
  // An exit_fire of another reason for a symbol P2 holds nothing of is acknowledged, no order.
  exit_fire("IWM", "trailing_stop", 778);
  EXPECT_TRUE(eventually(
      [&] { return pending(Stream::kExitFire) == 0 && range(Stream::kExitFire).size() == 2; }));
  EXPECT_EQ(keys("order:*").size(), 1u);
  EXPECT_EQ(p2.terminate(), 0);
}

TEST_F(ExecuteFlow, OrderLargerThanTheDisplayedSizeFillsInParts) {
  Process& p2 = start_p2();
  Gates thin;
  thin.size = 60;  // 60 shown, 100 wanted
  write_seals("SPY", kOpen, thin);
  ASSERT_TRUE(eventually([&] { return hget("order:" + kEntryId, "state") == "partially_filled"; }))
      << p2.log();
  EXPECT_EQ(hget("order:" + kEntryId, "filled_qty"), "60");
  EXPECT_EQ(hget("position:SPY", "qty"), "60");
  // A later quote with more size completes the order.
  ASSERT_TRUE(
      command({"HSET", "quote:SPY", "bid", "100.01", "ask", "100.03", "bid_size", "500", "ask_size",
               "500", "last", "100.02", "ts_ns", std::to_string(kOpen + kMinute + 1)}));
  ASSERT_TRUE(eventually([&] { return hget("order:" + kEntryId, "state") == "filled"; }))
      << p2.log();
  EXPECT_EQ(hget("position:SPY", "qty"), "100");
  EXPECT_EQ(hget("paper:positions", "SPY"), "100");
  auto fires = range(Stream::kEntryFire);
  ASSERT_EQ(fires.size(), 2u);
  EXPECT_EQ(bus::decode_entry_fire(fires[0].fields)->qty, 60);
  EXPECT_EQ(bus::decode_entry_fire(fires[1].fields)->qty, 40);
  EXPECT_EQ(bus::decode_entry_fire(fires[1].fields)->price, 100.03);
  auto avg = text::parse_double(hget("position:SPY", "avg_price"));
  ASSERT_TRUE(avg);
  EXPECT_DOUBLE_EQ(*avg, (60 * 100.01 + 40 * 100.03) / 100);
  EXPECT_EQ(p2.terminate(), 0);
}

// ---- batches: the entries of one XREADGROUP reply ------------------------------------------

class ExecuteBatch : public ExecuteSuite {};

const std::vector<std::string> kSyms = {"SPY", "QQQ", "IWM", "DIA", "XLF", "XLE", "GLD", "TLT"};

std::string entry_id(const std::string& sym) {
  return "ema_rsi_confluence-" + sym + "-buy-1m-1381152600";
}

TEST_F(ExecuteBatch, EverySymbolOfOneReplyIsEvaluatedRecordedAndAcknowledged) {
  // Written before P2 starts: its group starts at 0, so its first read returns all 16 entries.
  for (const auto& sym : kSyms) write_seals(sym, kOpen);
  Process& p2 = start_p2();
  ASSERT_TRUE(eventually([&] { return pending(Stream::kNewBar) == 0 && metric("fills") == 8; }))
      << p2.log();
  for (const auto& sym : kSyms) {
    EXPECT_EQ(hget("engine_state:" + sym + ":buy", "last_decision"), "entered") << sym;
    EXPECT_EQ(hget("engine_state:" + sym + ":buy", "last_bar_ns"), std::to_string(kOpen)) << sym;
    EXPECT_EQ(hget("order:" + entry_id(sym), "state"), "filled") << sym;
    EXPECT_EQ(hget("position:" + sym, "qty"), "100") << sym;
  }
  EXPECT_EQ(keys("order:*").size(), kSyms.size());
  EXPECT_EQ(range(Stream::kEntryFire).size(), kSyms.size());
  EXPECT_TRUE(eventually([&] {
    return metric("bars_evaluated") == 8 && metric("bars_ignored") == 8 &&
           metric("bundle_batches") == 1 && metric("entries") == 8 && metric("bad_entries") == 0;
  })) << heartbeat().value_or("no heartbeat");
  // wake_us times every new_bar entry (5m too); cycle and seal-to-decision each evaluation.
  EXPECT_EQ(histogram_n("wake_us"), 16);
  EXPECT_EQ(histogram_n("cycle_us"), 8);
  EXPECT_EQ(histogram_n("seal_to_decision_us"), 8);
  EXPECT_EQ(p2.terminate(), 0) << p2.log();
}

TEST_F(ExecuteBatch, Issue7_ABurstLongerThanOneReadIsReadAheadWithTheDecisions) {
  // 100 symbols, 200 entries: reads of 64, 64, 64 and 8. Each batch's fills and decisions go
  // in one round trip that also reads the next batch, so only the first read blocks; every
  // entry is still decided once, in order, with its fill written before its decision.
  std::vector<std::string> syms;
  for (int i = 0; i < 100; ++i) syms.push_back((i < 10 ? "SYM0" : "SYM") + std::to_string(i));
  for (const auto& sym : syms) write_seals(sym, kOpen);
  Process& p2 = start_p2();
  ASSERT_TRUE(eventually([&] { return pending(Stream::kNewBar) == 0 && metric("fills") == 100; }))
      << p2.log();
  for (const auto& sym : syms) {
    EXPECT_EQ(hget("engine_state:" + sym + ":buy", "last_decision"), "entered") << sym;
    EXPECT_EQ(hget("order:" + entry_id(sym), "state"), "filled") << sym;
    EXPECT_EQ(hget("position:" + sym, "qty"), "100") << sym;
    EXPECT_EQ(hget("paper:positions", sym), "100") << sym;
  }
  EXPECT_EQ(range(Stream::kEntryFire).size(), syms.size());
  EXPECT_TRUE(eventually([&] {
    return metric("bars_evaluated") == 100 && metric("bars_ignored") == 100 &&
           metric("bundle_batches") == 4 && metric("reads_ahead") == 3 &&
           metric("events_with_decisions") == 4 && metric("quotes_with_orders") == 4 &&
           metric("entries") == 100 && metric("bad_entries") == 0 && metric("redis_errors") == 0;
  })) << heartbeat().value_or("no heartbeat");
  EXPECT_EQ(histogram_n("wake_us"), 200);
  EXPECT_EQ(histogram_n("seal_to_decision_us"), 100);
  EXPECT_EQ(p2.terminate(), 0) << p2.log();
}

TEST_F(ExecuteBatch, ABadBundleSpoilsOnlyItsOwnEntry) {
  for (const auto& sym : {"SPY", "QQQ", "IWM", "DIA", "XLF"}) write_seals(sym, kOpen);
  // QQQ: a quote that does not parse; DIA: not a hash at all (WRONGTYPE inside the pipeline);
  // XLF: 1m window bytes that are not Arrow (decoded as missing: the strategy skips).
  ASSERT_TRUE(command({"HSET", "bundle:QQQ", "quote", "1,2,oops"}));
  ASSERT_TRUE(command({"DEL", "bundle:DIA"}));
  ASSERT_TRUE(command({"SET", "bundle:DIA", "a string, not a hash"}));
  ASSERT_TRUE(command({"HSET", "bundle:XLF", "1m", "not arrow bytes"}));
  Process& p2 = start_p2();
  ASSERT_TRUE(eventually([&] { return pending(Stream::kNewBar) == 0; })) << p2.log();
  EXPECT_EQ(hget("engine_state:SPY:buy", "last_decision"), "entered");
  EXPECT_EQ(hget("engine_state:IWM:buy", "last_decision"), "entered");
  EXPECT_EQ(hget("engine_state:XLF:buy", "last_decision"), "skipped:no_bars_1m");
  EXPECT_FALSE(hash("engine_state:QQQ:buy"));  // not evaluated: acknowledged, skipped
  EXPECT_FALSE(hash("engine_state:DIA:buy"));
  EXPECT_EQ(keys("order:*").size(), 2u);
  EXPECT_TRUE(eventually([&] {
    return metric("bars_evaluated") == 3 && metric("bad_entries") == 3 &&
           metric("bundle_batches") == 1 && metric("bars_ignored") == 5;
  })) << heartbeat().value_or("no heartbeat");
  EXPECT_NE(p2.log().find("bundle:QQQ"), std::string::npos);
  EXPECT_NE(p2.log().find("WRONGTYPE"), std::string::npos);
  EXPECT_EQ(p2.terminate(), 0) << p2.log();
}

TEST_F(ExecuteBatch, OrdersOfOneBatchAreCreatedWithNxTogetherAndOnlyTheCreatedAreSent) {
  // QQQ's order exists from an earlier run, finished: the pipelined create must find it so for
  // QQQ alone, and send the other two.
  const bus::Fields earlier = {{"sym", "QQQ"}, {"state", "filled"}, {"created_ns", "1"}};
  auto created = bus::create_order(*conn_, entry_id("QQQ"), earlier);
  ASSERT_TRUE(created && *created);
  for (const auto& sym : {"SPY", "QQQ", "IWM"}) write_seals(sym, kOpen);
  Process& p2 = start_p2();
  ASSERT_TRUE(eventually([&] { return pending(Stream::kNewBar) == 0 && metric("fills") == 2; }))
      << p2.log();
  for (const auto& sym : {"SPY", "IWM"}) {
    EXPECT_EQ(hget("engine_state:" + std::string(sym) + ":buy", "last_decision"), "entered");
    EXPECT_EQ(hget("order:" + entry_id(sym), "state"), "filled") << sym;
    EXPECT_EQ(hget("order:" + entry_id(sym), "sym"), sym);
    EXPECT_EQ(hget("paper:positions", sym), "100") << sym;
  }
  EXPECT_EQ(hget("engine_state:QQQ:buy", "last_decision"), "skipped:duplicate_order");
  EXPECT_EQ(hash("order:" + entry_id("QQQ")), std::optional<bus::Fields>(earlier));  // untouched
  EXPECT_EQ(hget("paper:positions", "QQQ"), "");
  EXPECT_FALSE(hash("position:QQQ"));
  EXPECT_EQ(keys("order:*").size(), 3u);
  EXPECT_EQ(range(Stream::kEntryFire).size(), 2u);
  EXPECT_TRUE(eventually([&] {
    return metric("orders_submitted") == 2 && metric("bundle_batches") == 1 &&
           metric("entries") == 2 && metric("bad_entries") == 0;
  })) << heartbeat().value_or("no heartbeat");
  EXPECT_EQ(p2.terminate(), 0) << p2.log();
}

TEST_F(ExecuteBatch, ExitFiresOfOneBatchCloseEveryPositionOnceEach) {
  // Two positions from an earlier run; three exit_fire entries (SPY twice, as an at-least-once
  // P3 may send) read in one reply: one exit order each, the repeat finds its order existing.
  for (const auto& [sym, px] : {std::pair{"SPY", "101"}, std::pair{"QQQ", "380"}}) {
    const std::string s(sym), entry = entry_id(s);
    ASSERT_TRUE(command({"HSET", "position:" + s, "qty", "100", "avg_price", px, "entry_order_id",
                         entry, "opened_ns", "5", "updated_ns", "5"}));
    ASSERT_TRUE(command({"HSET", "paper:positions", s, "100"}));
    ASSERT_TRUE(command({"HSET", "quote:" + s, "bid", px, "ask", px, "bid_size", "500", "ask_size",
                         "500", "last", px, "ts_ns", "9"}));
  }
  exit_fire("SPY", "trailing_stop", kOpen);
  exit_fire("QQQ", "trailing_stop", kOpen + 1);
  exit_fire("SPY", "trailing_stop", kOpen + 2);
  Process& p2 = start_p2();
  ASSERT_TRUE(eventually([&] {
    return pending(Stream::kExitFire) == 0 && !hash("position:SPY") && !hash("position:QQQ");
  })) << p2.log();
  EXPECT_EQ(keys("order:*").size(), 2u);
  for (const auto& sym : {"SPY", "QQQ"}) {
    EXPECT_EQ(hget("order:x-" + entry_id(sym), "state"), "filled") << sym;
    EXPECT_EQ(hget("order:x-" + entry_id(sym), "qty"), "100") << sym;
    EXPECT_EQ(hget("paper:positions", sym), "") << sym;
  }
  // Filled at the bid of quote:{sym}, read in the round trip that created the exit orders.
  EXPECT_EQ(hget("order:x-" + entry_id("SPY"), "avg_fill_price"), "101");
  EXPECT_EQ(hget("order:x-" + entry_id("QQQ"), "avg_fill_price"), "380");
  // Their fills went in the round trip of the acknowledgements, their quotes in the creates'
  // (#7).
  EXPECT_TRUE(eventually([&] {
    return metric("exits") == 2 && metric("orders_submitted") == 2 &&
           metric("events_with_decisions") == 1 && metric("quotes_with_orders") == 1;
  })) << heartbeat().value_or("no heartbeat");
  EXPECT_NE(p2.log().find("exists already, not sent again"), std::string::npos);
  EXPECT_EQ(p2.terminate(), 0) << p2.log();
}

TEST_F(ExecuteBatch, AnEventThatCannotBeWrittenLeavesItAndThoseAfterItForTheRetry) {
  // "00" reads as 0 for P2's start-up but is no integer to Redis' HINCRBY, so IWM's fill cannot
  // be written. One poll returns, in order: SPY submitted, SPY filled, IWM submitted, IWM filled,
  // QQQ submitted, QQQ filled. The first three are written; IWM's fill and everything after it
  // wait, and nothing of them may reach Redis until IWM's fill can be written.
  ASSERT_TRUE(command({"HSET", "paper:positions", "IWM", "00"}));
  for (const auto& sym : {"SPY", "IWM", "QQQ"}) write_seals(sym, kOpen);
  Process& p2 = start_p2();
  ASSERT_TRUE(eventually([&] {
    return pending(Stream::kNewBar) == 0 && p2.log().find("not an integer") != std::string::npos;
  })) << p2.log();
  EXPECT_EQ(hget("order:" + entry_id("SPY"), "state"), "filled");
  EXPECT_EQ(hget("order:" + entry_id("IWM"), "state"), "submitted");
  EXPECT_EQ(hget("order:" + entry_id("QQQ"), "state"), "new");
  EXPECT_EQ(hget("paper:positions", "SPY"), "100");
  EXPECT_EQ(hget("paper:positions", "IWM"), "00");
  EXPECT_EQ(hget("paper:positions", "QQQ"), "");
  EXPECT_FALSE(hash("position:IWM"));
  EXPECT_FALSE(hash("position:QQQ"));
  EXPECT_EQ(range(Stream::kEntryFire).size(), 1u);
  // Every entry was decided and acknowledged: the orders are at the broker.
  for (const auto& sym : {"SPY", "IWM", "QQQ"}) {
    EXPECT_EQ(hget("engine_state:" + std::string(sym) + ":buy", "last_decision"), "entered");
  }
  // Still waiting after more retries.
  const double errors = metric("redis_errors");
  ASSERT_TRUE(eventually([&] { return metric("redis_errors") > errors + 2; }))
      << heartbeat().value_or("no heartbeat");
  EXPECT_EQ(hget("order:" + entry_id("QQQ"), "state"), "new");
  EXPECT_EQ(hget("paper:positions", "QQQ"), "");
  EXPECT_EQ(metric("fills"), 1);

  ASSERT_TRUE(command({"HSET", "paper:positions", "IWM", "0"}));
  ASSERT_TRUE(eventually([&] { return metric("fills") == 3; })) << p2.log();
  for (const auto& sym : {"SPY", "IWM", "QQQ"}) {
    EXPECT_EQ(hget("order:" + entry_id(sym), "state"), "filled") << sym;
    EXPECT_EQ(hget("paper:positions", sym), "100") << sym;  // each fill written exactly once
    EXPECT_EQ(hget("position:" + std::string(sym), "qty"), "100") << sym;
  }
  EXPECT_EQ(range(Stream::kEntryFire).size(), 3u);
  EXPECT_TRUE(eventually([&] { return metric("entries") == 3; }));
  EXPECT_EQ(p2.terminate(), 0) << p2.log();
}

}  // namespace
}  // namespace harrier::execute_test
