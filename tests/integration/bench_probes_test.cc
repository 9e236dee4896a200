// `harrier bench`'s floor probes against a real redis-server: the seal wake-up floor writes a
// seal shaped as P1's (the window twice, a quote, an announcement read by its own blocked
// reader), times one sample per announcement after the first, and leaves no key behind; the
// deadline wake-up floor collects one sample per deadline; the wake target names the floors it
// is read against.
#include <gtest/gtest.h>
#include <map>

#include <chrono>
#include <map>
#include <thread>

#include "arrow/bar_codec.h"
#include "bus/keys.h"
#include "bus_test_util.h"
#include "roles/bench/probes.h"
#include "roles/bench/report.h"
#include "roles/bench/session.h"

namespace harrier::roles::bench {
namespace {

// P1's tick queue holds 100 ms at the session's rate (a file's rate times its speed), never
// less than the default.
TEST(BenchSession, FeedQueueHoldsTheLagSustainedAllows) {
  Workload w;
  w.rate = 2000;
  EXPECT_EQ(feed_queue_for(w), 65536u);
  w.rate = 5'187'358;
  EXPECT_EQ(feed_queue_for(w), 524288u);  // 518,735 ticks, rounded up
  w.rate = 8'000'000;
  EXPECT_EQ(feed_queue_for(w), 1048576u);
  w.sim = false;
  w.rate = 100'000;
  w.speed = 20;
  EXPECT_EQ(feed_queue_for(w), 262144u);  // 200,000 ticks
}

// The first target check whose name holds `needle` (empty when none does).
TargetCheck target_named(const Report& report, std::string_view needle) {
  for (const TargetCheck& t : check_targets(report)) {
    if (t.target.find(needle) != std::string::npos) return t;
  }
  return TargetCheck{};
}

// The wake target is read against P1's own seals landing in Redis when P1 reported them, beside
// the lone-seal floor, as ratios to PING; without the landing figure only the lone seal shows.
TEST(BenchReport, TheWakeIsReadAgainstP1sSealsLandingInRedis) {
  ScenarioResult s;
  s.name = "sym100_200000";
  s.metrics["wake_us"] = Stat{6000, 20000, 25000, 100};
  s.floors["ping_us"] = Stat{100, 500, 900, 50};
  s.floors["seal_wake_us"] = Stat{190, 600, 700, 50};
  s.extra["p1_publish_to_commit_us"] = Stat{2350, 13000, 18000, 100};
  Report r;
  r.scenarios.push_back(s);
  auto wake_check = [](const Report& report) { return target_named(report, "wake"); };
  TargetCheck t = wake_check(r);
  EXPECT_EQ(t.measured, "60.0x PING");
  EXPECT_FALSE(t.met);
  EXPECT_EQ(t.floor, "seal wake-up 1.90x PING; P1's seals in Redis 23.5x PING after publish");

  r.scenarios[0].extra.clear();  // a P1 that reports no landing (another machine's Redis)
  EXPECT_EQ(wake_check(r).floor, "seal wake-up 1.90x PING");
}

// The seal delay is read against the boundary deadline floor, then its two parts; either shows
// alone when the other was not measured.
TEST(BenchReport, TheSealDelayIsReadAgainstTheBoundaryDeadlineFloor) {
  ScenarioResult s;
  s.name = "sym100_200000";
  s.metrics["seal_delay_us"] = Stat{400, 3000, 3500, 2500};
  s.floors["boundary_timer_us"] = Stat{40, 2500, 2600, 200};
  s.extra["p1_closing_tick_lag_us"] = Stat{380, 2990, 3490, 2500};
  s.extra["p1_seal_work_us"] = Stat{3, 60, 120, 2500};
  Report r;
  r.scenarios.push_back(s);
  auto seal_check = [](const Report& report) { return target_named(report, "seal delay"); };
  TargetCheck t = seal_check(r);
  EXPECT_EQ(t.measured, "3000 us");
  EXPECT_FALSE(t.met);
  EXPECT_EQ(t.floor,
            "deadline wake-up at boundaries p99 2500 us; closing tick waiting to be taken p99 "
            "2990 us; P1's work after it p99 60.0 us");

  r.scenarios[0].extra.clear();
  EXPECT_EQ(seal_check(r).floor, "deadline wake-up at boundaries p99 2500 us");
  r.scenarios[0].floors.clear();
  r.scenarios[0].extra["p1_closing_tick_lag_us"] = Stat{380, 2990, 3490, 2500};
  r.scenarios[0].extra["p1_seal_work_us"] = Stat{3, 60, 120, 2500};
  EXPECT_EQ(seal_check(r).floor,
            "closing tick waiting to be taken p99 2990 us; P1's work after it p99 60.0 us");
}

using bus::test::fast_config;

class BenchProbes : public harrier::testing::RedisSuite {};

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST_F(BenchProbes, SealWakeWritesASealAndTimesEachAnnouncement) {
  const std::string stream = bus::keys::bench("seal_wake");
  const std::string bars = bus::keys::bars("BENCHWAKE", Interval::k1s);
  const std::string bundle = bus::keys::bundle("BENCHWAKE");
  const std::string quote = bus::keys::quote("BENCHWAKE");
  bus::Connection c(fast_config(server().url()));
  {
    SealWakeProbe probe(fast_config(server().url()));
    for (std::size_t rows : {1u, 2u, 7u, 120u, 500u}) ASSERT_TRUE(probe.round(rows));
    // The first announcement waits for the reader to connect: not a sample.
    EXPECT_EQ(probe.wake().size(), 4u);
    EXPECT_GT(probe.wake().stat().p50, 0.0);

    auto len = c.command({"XLEN", stream});
    ASSERT_TRUE(len);
    EXPECT_EQ(len->integer().value_or(-1), 5);
    // The last seal: a window of 120 rows (500 is clamped), the same bytes in the bundle.
    auto window = c.command({"GET", bars});
    ASSERT_TRUE(window);
    auto view = arrow::view_bars(bytes_of(window->string().value_or("")));
    ASSERT_TRUE(view) << view.error().to_string();
    EXPECT_EQ(view->rows, 120);
    EXPECT_EQ(view->symbol, "BENCHWAKE");
    auto field = c.command({"HGET", bundle, "1s"});
    ASSERT_TRUE(field);
    EXPECT_EQ(field->string().value_or(""), window->string().value_or("-"));
    auto bid = c.command({"HGET", quote, "bid"});
    ASSERT_TRUE(bid);
    EXPECT_EQ(bid->string().value_or(""), "512");
    // No role's stream is touched.
    auto new_bar =
        c.command({"EXISTS", std::string(bus::keys::stream_name(bus::keys::Stream::kNewBar))});
    ASSERT_TRUE(new_bar);
    EXPECT_EQ(new_bar->integer().value_or(-1), 0);
  }
  auto left = c.command({"EXISTS", stream, bars, bundle, quote});
  ASSERT_TRUE(left);
  EXPECT_EQ(left->integer().value_or(-1), 0) << "the probe's keys outlive it";
}

TEST_F(BenchProbes, SealWakeReportsARedisThatIsGone) {
  bus::ConnectionConfig cfg = fast_config("unix:/nonexistent/redis.sock");
  SealWakeProbe probe(cfg);
  auto st = probe.round(1);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().to_string().find("/nonexistent/redis.sock"), std::string::npos)
      << st.error().to_string();
}

TEST_F(BenchProbes, StopPathRelaysEachQuoteThroughTheFireScript) {
  const std::string quotes = bus::keys::bench("stop_quote");
  const std::string exits = bus::keys::bench("stop_exit");
  bus::Connection c(fast_config(server().url()));
  {
    StopPathProbe probe(fast_config(server().url()));
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(probe.round());
    EXPECT_EQ(probe.path().size(), 3u);  // the first round waits for the readers to block
    // Each quote became one exit, through a marker set NX (expiring, so none outlives the
    // bench).
    auto q = c.command({"XLEN", quotes});
    auto e = c.command({"XLEN", exits});
    ASSERT_TRUE(q && e);
    EXPECT_EQ(q->integer().value_or(-1), 4);
    EXPECT_EQ(e->integer().value_or(-1), 4);
    auto markers = c.command({"KEYS", bus::keys::bench("stop_fired:*")});
    ASSERT_TRUE(markers);
    EXPECT_EQ(markers->size(), 4u);
    auto ttl = c.command({"PTTL", std::string(markers->at(0).string().value_or(""))});
    ASSERT_TRUE(ttl);
    EXPECT_GT(ttl->integer().value_or(-1), 0);
    EXPECT_LE(ttl->integer().value_or(-1), 1000);
  }
  auto left = c.command({"EXISTS", quotes, exits});
  ASSERT_TRUE(left);
  EXPECT_EQ(left->integer().value_or(-1), 0);
}

TEST(BenchTimerProbe, OneSamplePerDeadline) {
  TimerProbe probe;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Samples late = probe.finish();
  // Deadlines 2-8 ms apart, the first 5 ms in: at least 300 / 8 - 1 of them in 300 ms, at most
  // 300 / 2 (a sample is only taken once its deadline has passed).
  EXPECT_GE(late.size(), 30u);
  EXPECT_LE(late.size(), 150u);
  EXPECT_GE(late.stat().p50, 0.0);
  ASSERT_EQ(probe.deadlines().size(), late.size());
  for (std::size_t i = 1; i < late.size(); ++i) {
    // 2-8 ms apart, or 2 ms after the thread got to a late one.
    EXPECT_GE(probe.deadlines()[i] - probe.deadlines()[i - 1], 2 * kNsPerMs) << i;
  }
}

TEST(BenchTimerProbe, BoundaryDeadlinesFallInTheFirstFiveMillisecondsOfASecond) {
  TimerProbe probe(TimerProbe::Schedule::kBoundaries);
  std::this_thread::sleep_for(std::chrono::milliseconds(2300));
  Samples late = probe.finish();
  const std::vector<std::int64_t>& due = probe.deadlines();
  ASSERT_EQ(due.size(), late.size());
  // Two or three second boundaries pass in 2.3 s, ten deadlines each (fewer only for a
  // deadline the thread was already late for).
  EXPECT_GE(due.size(), 5u);
  EXPECT_LE(due.size(), 30u);
  std::map<std::int64_t, int> per_second;
  for (std::size_t i = 0; i < due.size(); ++i) {
    const std::int64_t into = due[i] % kNsPerSec;
    EXPECT_LT(into, TimerProbe::kBoundaryWindow) << i;
    if (i > 0) {
      EXPECT_GT(due[i], due[i - 1]) << i;
    }
    // One in each 500 us slot of the window.
    if (i > 0 && due[i] / kNsPerSec == due[i - 1] / kNsPerSec) {
      EXPECT_GT(into / TimerProbe::kBoundaryStep,
                due[i - 1] % kNsPerSec / TimerProbe::kBoundaryStep)
          << i;
    }
    ++per_second[due[i] / kNsPerSec];
  }
  for (const auto& [second, n] : per_second) {
    EXPECT_LE(n, TimerProbe::kBoundaryDeadlines) << second;
  }
  EXPECT_GE(late.stat().p50, 0.0);
}

}  // namespace
}  // namespace harrier::roles::bench
