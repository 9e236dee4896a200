#include "roles/common/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "roles/common/json.h"

namespace harrier {
namespace {

TEST(Metrics, SnapshotAsJson) {
  Metrics m;
  Counter& ticks = m.counter("ticks", "ticks processed");
  Gauge& depth = m.gauge("queue_depth", "ticks waiting");
  Histogram& lag = m.histogram("feed_lag_us", "feed lag");
  ticks.add(3);
  depth.set(7);
  for (int i = 1; i <= 100; ++i) lag.record(i * kNsPerUs);
  auto v = json::parse(m.to_json());
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(v->find("counters")->number_at("ticks"), 3);
  EXPECT_EQ(v->find("gauges")->number_at("queue_depth"), 7);
  const json::Value* h = v->find("histograms")->find("feed_lag_us");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->number_at("n"), 100);
  EXPECT_EQ(h->number_at("max"), 100);
  // Log-linear buckets report within 12.5% above the true quantile, never below.
  EXPECT_GE(*h->number_at("p50"), 50);
  EXPECT_LE(*h->number_at("p50"), 50 * 1.125 + 1);
  EXPECT_GE(*h->number_at("p99"), 99);
  EXPECT_LE(*h->number_at("p99"), 100);
  EXPECT_NEAR(*h->number_at("mean"), 50.5, 1e-9);
}

TEST(Metrics, ConcurrentRecordingLosesNothing) {
  Histogram h;
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        h.record(i);
        c.add();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(h.count(), 40000u);
  EXPECT_EQ(c.value(), 40000u);
  EXPECT_EQ(h.max(), 9999);
}

TEST(Metrics, OwnedRecordingMatchesLockedRecording) {
  Histogram locked, owned;
  Counter a, b;
  for (int i = 0; i < 5000; ++i) {
    const DurationNs v = (i * 7919) % 3'000'000;
    locked.record(v);
    owned.record_owned(v);
    a.add(2);
    b.add_owned(2);
  }
  owned.record_owned(-5);  // clamped to 0, as record() does
  locked.record(-5);
  EXPECT_EQ(owned.count(), locked.count());
  EXPECT_EQ(owned.max(), locked.max());
  EXPECT_EQ(owned.mean_ns(), locked.mean_ns());
  for (double q : {0.0, 0.5, 0.9, 0.99, 1.0}) EXPECT_EQ(owned.quantile(q), locked.quantile(q));
  EXPECT_EQ(a.value(), b.value());
}

TEST(Metrics, ResidentBytesIsPlausible) { EXPECT_GT(resident_bytes(), 1u << 20); }

}  // namespace
}  // namespace harrier
