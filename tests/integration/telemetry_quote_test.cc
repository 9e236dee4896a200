// P3's stops woken by stream:quote (issue #7), the real `harrier telemetry` against a private
// redis-server: a quote entry crossing a guarded stop fires exactly one exit_fire with the
// quote's ts_ns, however often it is delivered; stops:guarded holds the symbols of the unfired
// stops and a restarted P3 rebuilds it; bad and unguarded entries are acknowledged, not fatal;
// a quote left pending by a dead P3 fires at the restart. No test writes quote:{sym}, so the
// fallback poll never sees a quote: what moves or fires a stop here came from stream:quote.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "bus/events.h"
#include "bus/keys.h"
#include "bus/streams.h"
#include "telemetry_test_util.h"

namespace harrier::telemetry_test {
namespace {

class TelemetryQuote : public TelemetrySuite {
 protected:
  // What P1 does for a guarded symbol: one stream:quote entry per quote change.
  bus::QuoteEvent quote(std::string_view sym, double bid, double ask) {
    ts_ += 10 * kNsPerMs;
    return bus::QuoteEvent{std::string(sym), bid, ask, 100, 100, kNaN, ts_, {}};
  }
  void publish(const bus::QuoteEvent& q) { ASSERT_TRUE(bus::publish(*conn_, q)); }
  void publish_fields(const bus::Fields& f) {
    ASSERT_TRUE(bus::xadd(*conn_, bus::keys::stream_name(bus::keys::Stream::kQuote), f));
  }
  std::vector<std::string> guarded() {
    auto r = conn_->command({"SMEMBERS", bus::keys::stops_guarded()});
    EXPECT_TRUE(r) << r.error().to_string();
    std::vector<std::string> out;
    for (std::size_t i = 0; r && i < r->size(); ++i) out.emplace_back(r->at(i).string().value());
    std::sort(out.begin(), out.end());
    return out;
  }
  // Entries of stream:quote delivered to group telemetry and not acknowledged.
  std::int64_t quote_pending() {
    auto r = conn_->command({"XPENDING", "stream:quote", bus::keys::kGroupTelemetry});
    if (!r || r->size() == 0) return -1;
    return r->at(0).integer().value_or(-1);
  }
  // A field ("n", "max", ...) of a histogram in P3's heartbeat (-1 when absent).
  double histogram_field(const Child& c, std::string_view name, std::string_view field) {
    auto v = heartbeat_of("telemetry", c.pid());
    const json::Value* m = v ? v->find("metrics") : nullptr;
    const json::Value* hs = m ? m->find("histograms") : nullptr;
    const json::Value* h = hs ? hs->find(name) : nullptr;
    return h ? h->number_at(field).value_or(-1) : -1;
  }
  double histogram_n(const Child& c, std::string_view name) {
    return histogram_field(c, name, "n");
  }
  // stream:exit_fire holds one exit (waits for it): for `sym`, triggered at `trigger_ns`.
  void expect_one_exit(std::string_view sym, TimestampNs trigger_ns) {
    ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") >= 1; }))
        << read_file(path("p3.err"));
    auto fired = exits();
    ASSERT_EQ(fired.size(), 1u);
    auto ev = bus::decode_exit_fire(fired[0].fields);
    ASSERT_TRUE(ev) << ev.error().to_string();
    EXPECT_EQ(ev->sym, sym);
    EXPECT_EQ(ev->trigger_ns, trigger_ns);
  }
  // A long SPY position guarded by a running P3, its symbol in stops:guarded.
  void guard_spy(const Child& p3) {
    open_position("SPY", 100, 100.0, kEntryId);
    ASSERT_TRUE(eventually([&] { return guarded() == std::vector<std::string>{"SPY"}; }))
        << read_file(path("p3.err"));
    ASSERT_TRUE(eventually([&] { return counter(p3, "entries_seen") == 1; }));
  }

  TimestampNs ts_ = kMarketStart;
};

TEST_F(TelemetryQuote, CrossingQuoteFiresOnceWithItsTsEvenWhenDeliveredTwice) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  guard_spy(*p3);

  publish(quote("SPY", 102.0, 102.01));  // a long trails the bid: best 102, stop 101.49
  ASSERT_TRUE(eventually([&] { return stop_field("SPY", "best_price") == 102.0; }));
  EXPECT_NEAR(*stop_field("SPY", "stop_price"), 102.0 * 0.995, 1e-9);
  publish(quote("SPY", 101.6, 101.3));  // above the stop on the bid (the ask is below it)
  ASSERT_TRUE(eventually([&] { return counter(*p3, "quote_entries") == 2; }));
  ASSERT_TRUE(eventually([&] { return quote_pending() == 0; }));
  EXPECT_EQ(xlen("stream:exit_fire"), 0);

  // The crossing quote twice in one transaction: one XREADGROUP reply holds both.
  const bus::QuoteEvent cross = quote("SPY", 101.4, 101.45);
  const bus::Fields f = bus::encode(cross);
  cmd({"MULTI"});
  std::vector<std::string_view> xadd = {"XADD", "stream:quote", "*"};
  for (const auto& [k, v] : f) xadd.insert(xadd.end(), {k, v});
  for (int i = 0; i < 2; ++i) {
    auto r = conn_->command(xadd);
    ASSERT_TRUE(r) << r.error().to_string();
  }
  ASSERT_EQ(cmd({"EXEC"}).size(), 2u);
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
  auto ev = bus::decode_exit_fire(exits()[0].fields);
  ASSERT_TRUE(ev) << ev.error().to_string();
  EXPECT_EQ(ev->sym, "SPY");
  EXPECT_EQ(ev->reason, "trailing_stop");
  EXPECT_EQ(ev->trigger_ns, cross.ts_ns);
  EXPECT_NEAR(ev->stop_price, 102.0 * 0.995, 1e-9);

  // Once more, in a later reply, and a lower quote: still one exit.
  publish(cross);
  publish(quote("SPY", 99.0, 99.01));
  ASSERT_TRUE(eventually([&] { return counter(*p3, "quote_entries") == 6; }));
  ASSERT_TRUE(eventually([&] { return quote_pending() == 0; }));
  EXPECT_EQ(xlen("stream:exit_fire"), 1);
  EXPECT_EQ(counter(*p3, "exits_fired"), 1);
  EXPECT_EQ(cmd({"GET", bus::keys::exit_fired("SPY", kEntryId)}).string().value(),
            std::to_string(cross.ts_ns));
  // Fired: no longer guarded, so P1 can stop publishing its quotes.
  ASSERT_TRUE(eventually([&] { return guarded().empty(); }));
  EXPECT_EQ(histogram_n(*p3, "stop_to_exit_us"), 1);
  EXPECT_EQ(histogram_n(*p3, "quote_to_fire_us"), 0);  // a 2013 quote time: not live-like
  p3->signal(SIGTERM);
  EXPECT_EQ(p3->wait_exit(5000), 0);
}

// An entry carrying earlier changes (P1 joins the changes made while an entry waited for its
// IO thread): a dip in its path crosses the stop though its newest price is back above, and
// the exit carries the dip's time.
TEST_F(TelemetryQuote, AChangeInAnEntrysPathCrossesTheStop) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  guard_spy(*p3);
  const bus::QuoteEvent high = quote("SPY", 102.0, 102.01);  // best 102, stop 101.49
  const bus::QuoteEvent dip = quote("SPY", 101.4, 101.41);   // through it
  bus::QuoteEvent entry = quote("SPY", 102.5, 102.51);       // back above
  entry.path = {high.point(), dip.point()};
  publish(entry);
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
  auto ev = bus::decode_exit_fire(exits()[0].fields);
  ASSERT_TRUE(ev) << ev.error().to_string();
  EXPECT_EQ(ev->trigger_ns, dip.ts_ns);
  EXPECT_NEAR(ev->stop_price, 102.0 * 0.995, 1e-9);
  ASSERT_TRUE(eventually([&] { return counter(*p3, "exits_fired") == 1; }));
  EXPECT_EQ(counter(*p3, "quote_entries"), 1);
}

TEST_F(TelemetryQuote, ShortTrailsTheAskAndLastStandsInForAMissingSide) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  open_position("QQQ", -50, 200.0, "erc-QQQ-sell-1m-1381152600");
  ASSERT_TRUE(eventually([&] { return guarded() == std::vector<std::string>{"QQQ"}; }));
  publish(quote("QQQ", 150.0, 190.0));  // a short trails the ask: best 190, stop 190.95
  ASSERT_TRUE(eventually([&] { return stop_field("QQQ", "best_price") == 190.0; }));
  // No ask: `last` (191) is the price, and it is through the stop.
  bus::QuoteEvent q = quote("QQQ", 150.0, kNaN);
  q.last = 191.0;
  publish(q);
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
  auto ev = bus::decode_exit_fire(exits()[0].fields);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->sym, "QQQ");
  EXPECT_EQ(ev->trigger_ns, q.ts_ns);
}

TEST_F(TelemetryQuote, GuardedSetFollowsTheUnfiredStopsAndARestartRebuildsIt) {
  cmd({"SADD", bus::keys::stops_guarded(), "ZZZ"});  // left by an earlier P3
  auto p3 = start_p3({}, "p3a");
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3a.err"));
  EXPECT_TRUE(guarded().empty());  // replaced at start-up: no stop, no member
  open_position("SPY", 100, 100.0, kEntryId);
  open_position("QQQ", 10, 200.0, "erc-QQQ-buy-1m-1381152600");
  ASSERT_TRUE(eventually([&] { return guarded() == std::vector<std::string>{"QQQ", "SPY"}; }));

  ASSERT_TRUE(bus::write_position(*conn_, "QQQ", {}));  // QQQ flat: dropped at the next scan
  ASSERT_TRUE(eventually([&] { return guarded() == std::vector<std::string>{"SPY"}; }));
  EXPECT_FALSE(stop_field("QQQ", "stop_price").has_value());

  // Killed, the set tampered with meanwhile: the restarted P3 makes it equal to its stops.
  p3->signal(SIGKILL);
  ASSERT_EQ(p3->wait_exit(5000), 128 + SIGKILL);
  cmd({"SREM", bus::keys::stops_guarded(), "SPY"});
  cmd({"SADD", bus::keys::stops_guarded(), "ZZZ", "QQQ"});
  auto p3b = start_p3({}, "p3b");
  ASSERT_TRUE(wait_ready(*p3b)) << read_file(path("p3b.err"));
  EXPECT_EQ(guarded(), std::vector<std::string>{"SPY"});  // rebuilt before P3 says ready

  // Lost (a Redis that restarted empty, say): re-asserted within a second.
  cmd({"DEL", bus::keys::stops_guarded()});
  ASSERT_TRUE(eventually([&] { return guarded() == std::vector<std::string>{"SPY"}; }));

  // Fired: removed; a restart with the position still open does not add it back.
  publish(quote("SPY", 99.0, 99.01));
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
  ASSERT_TRUE(eventually([&] { return guarded().empty(); }));
  p3b->signal(SIGKILL);
  ASSERT_EQ(p3b->wait_exit(5000), 128 + SIGKILL);
  auto p3c = start_p3({}, "p3c");
  ASSERT_TRUE(wait_ready(*p3c)) << read_file(path("p3c.err"));
  EXPECT_TRUE(guarded().empty());
  EXPECT_NE(read_file(path("p3c.err")).find("exit already fired"), std::string::npos);
}

TEST_F(TelemetryQuote, BadEntriesAreCountedAndAcknowledgedNotFatal) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  guard_spy(*p3);
  bus::Fields good = bus::encode(quote("SPY", 101.0, 101.01));
  bus::Fields no_ts = good, bad_bid = good, bad_sym = good;
  no_ts.pop_back();
  bad_bid[1].second = "-5";
  bad_sym[0].second = "spy;";
  for (const bus::Fields& f : {no_ts, bad_bid, bad_sym, bus::Fields{{"junk", "1"}}}) {
    publish_fields(f);
  }
  ASSERT_TRUE(eventually([&] { return counter(*p3, "bad_inputs") == 4; }))
      << read_file(path("p3.err"));
  ASSERT_TRUE(eventually([&] { return quote_pending() == 0; }));
  EXPECT_TRUE(p3->running());
  EXPECT_EQ(stop_field("SPY", "best_price"), 100.0);  // nothing applied
  EXPECT_NE(read_file(path("p3.err")).find("stream:quote"), std::string::npos);

  publish_fields(good);  // and the next good one still moves the stop
  ASSERT_TRUE(eventually([&] { return stop_field("SPY", "best_price") == 101.0; }));
  publish(quote("SPY", 100.0, 100.01));
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
}

// P1 publishes a symbol from its entry fill on (it watches stream:entry_fire), so the quote that
// crosses a new stop can arrive before P3 has opened that stop; P3 applies it when the stop
// opens, unless it is older than the fill.
TEST_F(TelemetryQuote, QuoteThatArrivedBeforeTheStopOpenedIsAppliedWhenItOpens) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  // Both below where a 0.5% stop from 100 sits (99.5); QQQ's is older than its fill.
  publish(bus::QuoteEvent{"QQQ", 99.0, 99.01, 100, 100, kNaN, kMarketStart - kNsPerSec, {}});
  const bus::QuoteEvent spy = quote("SPY", 99.0, 99.01);
  publish(spy);
  ASSERT_TRUE(eventually([&] { return counter(*p3, "quotes_unguarded") == 2; }));
  EXPECT_EQ(xlen("stream:exit_fire"), 0);

  open_position("QQQ", 100, 100.0, "erc-QQQ-buy-1m-1381152600");
  open_position("SPY", 100, 100.0, kEntryId);
  ASSERT_TRUE(eventually([&] { return counter(*p3, "entries_seen") == 2; }));
  expect_one_exit("SPY", spy.ts_ns);
  // QQQ stays guarded: its early quote predates the position.
  ASSERT_TRUE(eventually([&] { return guarded() == std::vector<std::string>{"QQQ"}; }));
  EXPECT_EQ(xlen("stream:exit_fire"), 1);
}

// A quote kept from before its stop opened is seen when the stop opens, not when it was read:
// stop_to_exit_us times P3's own step (it read ~1 s for such exits, timed from a read seconds
// before the position existed).
TEST_F(TelemetryQuote, AQuoteKeptForAStopIsTimedFromWhenTheStopOpens) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  const bus::QuoteEvent spy = quote("SPY", 99.0, 99.01);  // below a 0.5% stop from 100
  publish(spy);
  ASSERT_TRUE(eventually([&] { return counter(*p3, "quotes_unguarded") == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  open_position("SPY", 100, 100.0, kEntryId);
  expect_one_exit("SPY", spy.ts_ns);
  ASSERT_TRUE(eventually([&] { return histogram_field(*p3, "stop_to_exit_us", "n") == 1; }));
  const double max_us = histogram_field(*p3, "stop_to_exit_us", "max");
  EXPECT_GE(max_us, 0);
  EXPECT_LT(max_us, 1'000'000);  // the kept quote was read 1.5 s before
}

// Every early change counts, not only the newest entry's: a dip below the stop-to-be and the
// recovery after it both arrive before the stop opens; the dip fires the exit when it opens
// (P3 kept only the newest early entry before, and the recovery hid the dip).
TEST_F(TelemetryQuote, EveryChangeThatArrivedBeforeTheStopOpenedIsApplied) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  const bus::QuoteEvent dip = quote("SPY", 99.0, 99.01);  // below a 0.5% stop from 100
  publish(dip);
  ASSERT_TRUE(eventually([&] { return counter(*p3, "quotes_unguarded") == 1; }));
  bus::QuoteEvent back = quote("SPY", 100.2, 100.21);
  back.path.push_back(bus::QuotePoint{back.ts_ns - 1, 99.9, 99.91, kNaN});
  publish(back);
  ASSERT_TRUE(eventually([&] { return counter(*p3, "quotes_unguarded") == 2; }));
  EXPECT_EQ(xlen("stream:exit_fire"), 0);

  open_position("SPY", 100, 100.0, kEntryId);
  expect_one_exit("SPY", dip.ts_ns);
}

TEST_F(TelemetryQuote, EntryFiresOfOneReadAreGuardedTogetherAndTheirCrossingsFireTogether) {
  // Four fills announced in one transaction, so P3 reads them in one reply: every position is
  // guarded, and each early quote below its stop fires that position's exit, exactly once.
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  const std::vector<std::string> syms = {"DIA", "IWM", "QQQ", "SPY"};
  std::vector<bus::QuoteEvent> early;
  for (const std::string& sym : syms) {
    early.push_back(quote(sym, 99.0, 99.01));  // below a 0.5% stop from 100
    publish(early.back());
  }
  ASSERT_TRUE(eventually([&] { return counter(*p3, "quotes_unguarded") == 4; }));
  std::vector<bus::Fields> fills;
  for (const std::string& sym : syms) {
    const std::string id = "erc-" + sym + "-buy-1m-1381152600";
    ASSERT_TRUE(bus::write_position(*conn_, sym,
                                    {{"qty", "100"},
                                     {"avg_price", "100"},
                                     {"entry_order_id", id},
                                     {"opened_ns", std::to_string(kMarketStart)},
                                     {"updated_ns", std::to_string(kMarketStart)}}));
    fills.push_back(
        bus::encode(bus::EntryFireEvent{sym, Side::kBuy, 100, 100.0, id, kMarketStart}));
  }
  bus::CommandBatch batch;
  batch.add({"MULTI"});
  for (const bus::Fields& f : fills) {
    batch.begin();
    batch.arg("XADD");
    batch.arg("stream:entry_fire");
    batch.arg("*");
    for (const auto& [k, v] : f) {
      batch.arg(k);
      batch.arg(v);
    }
  }
  batch.add({"EXEC"});
  std::vector<bus::Reply> replies;
  ASSERT_TRUE(conn_->run(batch, replies));
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 4; }))
      << read_file(path("p3.err"));
  std::vector<std::string> fired;
  for (const auto& e : exits()) {
    auto ev = bus::decode_exit_fire(e.fields);
    ASSERT_TRUE(ev) << ev.error().to_string();
    const auto at = std::find(syms.begin(), syms.end(), ev->sym);
    ASSERT_NE(at, syms.end()) << ev->sym;
    EXPECT_EQ(ev->trigger_ns, early[static_cast<std::size_t>(at - syms.begin())].ts_ns) << ev->sym;
    fired.push_back(ev->sym);
  }
  std::sort(fired.begin(), fired.end());
  EXPECT_EQ(fired, syms);
  EXPECT_TRUE(eventually([&] { return counter(*p3, "entries_seen") == 4; }));
  EXPECT_EQ(counter(*p3, "exits_fired"), 4);
  for (const std::string& sym : syms) {
    EXPECT_TRUE(eventually([&] { return stop_field(sym, "stop_price").has_value(); })) << sym;
  }
  EXPECT_TRUE(eventually([&] { return guarded().empty(); }));  // all fired
}

TEST_F(TelemetryQuote, QuoteForAnUnguardedSymbolIsIgnored) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  guard_spy(*p3);
  publish(quote("AAPL", 1.0, 1.01));  // no position: would be "through" any stop
  ASSERT_TRUE(eventually([&] { return counter(*p3, "quotes_unguarded") == 1; }));
  ASSERT_TRUE(eventually([&] { return quote_pending() == 0; }));
  EXPECT_EQ(xlen("stream:exit_fire"), 0);
  EXPECT_EQ(counter(*p3, "quotes_polled"), 0);
  EXPECT_FALSE(stop_field("AAPL", "stop_price").has_value());
  EXPECT_EQ(guarded(), std::vector<std::string>{"SPY"});
}

TEST_F(TelemetryQuote, LiveLikeQuoteTimeIsTimedToTheFire) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  guard_spy(*p3);
  bus::QuoteEvent q = quote("SPY", 99.0, 99.01);
  q.ts_ns = SystemClock::instance().now_ns();  // a live feed's quote time
  publish(q);
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
  ASSERT_TRUE(eventually([&] { return histogram_n(*p3, "quote_to_fire_us") == 1; }));
  EXPECT_EQ(histogram_n(*p3, "stop_to_exit_us"), 1);
}

TEST_F(TelemetryQuote, QuoteLeftPendingByADeadP3FiresAtTheRestart) {
  auto p3 = start_p3({}, "p3a");
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3a.err"));
  guard_spy(*p3);
  p3->signal(SIGKILL);
  ASSERT_EQ(p3->wait_exit(5000), 128 + SIGKILL);
  // The crossing quote, read by P3's consumer (as if it died before firing), never acked.
  const bus::QuoteEvent cross = quote("SPY", 99.0, 99.01);
  publish(cross);
  auto r = conn_->command({"XREADGROUP", "GROUP", bus::keys::kGroupTelemetry, "telemetry", "COUNT",
                           "10", "STREAMS", "stream:quote", ">"});
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(quote_pending(), 1);

  auto p3b = start_p3({}, "p3b");
  ASSERT_TRUE(wait_ready(*p3b)) << read_file(path("p3b.err"));
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
  EXPECT_EQ(bus::decode_exit_fire(exits()[0].fields)->trigger_ns, cross.ts_ns);
  ASSERT_TRUE(eventually([&] { return quote_pending() == 0; }));
}

}  // namespace
}  // namespace harrier::telemetry_test
