#include "roles/manager/health.h"

#include <gtest/gtest.h>

#include "roles/common/json.h"

namespace harrier::roles::manager {
namespace {

constexpr TimestampNs kNow = 1'700'000'000'000'000'000;
constexpr DurationNs kStale = 2 * kNsPerSec;

std::string beat(std::int64_t pid, TimestampNs ts) {
  json::Writer w;
  w.field("role", "ingest").field("pid", pid).field("state", "running").field("ts_ns", ts);
  return w.finish();
}

TEST(Health, FreshOnlyForThePidTheManagerStarted) {
  EXPECT_EQ(judge_beat(beat(42, kNow - kNsPerSec), 42, kNow, kStale), Beat::kFresh);
  EXPECT_EQ(judge_beat(beat(41, kNow), 42, kNow, kStale), Beat::kOtherPid);
  EXPECT_EQ(judge_beat(std::nullopt, 42, kNow, kStale), Beat::kMissing);
}

TEST(Health, StaleOnceOlderThanTheLimit) {
  EXPECT_EQ(judge_beat(beat(42, kNow - kStale + kNsPerMs), 42, kNow, kStale), Beat::kFresh);
  EXPECT_EQ(judge_beat(beat(42, kNow - kStale - kNsPerMs), 42, kNow, kStale), Beat::kStale);
}

TEST(Health, UnreadableHeartbeats) {
  EXPECT_EQ(judge_beat(std::string("not json"), 42, kNow, kStale), Beat::kBad);
  EXPECT_EQ(judge_beat(std::string("[1,2]"), 42, kNow, kStale), Beat::kBad);
  EXPECT_EQ(judge_beat(std::string(R"({"pid":42})"), 42, kNow, kStale), Beat::kBad);
  EXPECT_EQ(judge_beat(std::string(R"({"ts_ns":1})"), 42, kNow, kStale), Beat::kBad);
}

TEST(Health, StaleLimitIsFiveIntervalsAndAtLeastTwoSeconds) {
  Config c;
  c.heartbeat.interval_ms = 1000;
  EXPECT_EQ(stale_after_ns(c), 5 * kNsPerSec);
  c.heartbeat.interval_ms = 100;
  EXPECT_EQ(stale_after_ns(c), 2 * kNsPerSec);
}

}  // namespace
}  // namespace harrier::roles::manager
