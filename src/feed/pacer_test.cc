#include "feed/pacer.h"

#include <gtest/gtest.h>

namespace harrier::feed {
namespace {

constexpr TimestampNs kRecorded = 1381152600LL * kNsPerSec;  // any recorded start
constexpr std::int64_t kWall = 5'000 * kNsPerSec;            // any wall start

TEST(Pacer, MaxSpeedNeverWaits) {
  ManualClock clock(kWall);
  Pacer p(0);
  EXPECT_TRUE(p.unpaced());
  EXPECT_EQ(p.wait_ns(clock, kRecorded), 0);
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 3600 * kNsPerSec), 0);
}

TEST(Pacer, RecordedSpeedReplaysTheGaps) {
  ManualClock clock(kWall);
  Pacer p(1);
  EXPECT_EQ(p.wait_ns(clock, kRecorded), 0);  // first tick: released at once, anchors
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 250 * kNsPerMs), 250 * kNsPerMs);
  clock.advance(100 * kNsPerMs);
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 250 * kNsPerMs), 150 * kNsPerMs);
  clock.advance(150 * kNsPerMs);
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 250 * kNsPerMs), 0);
  // A late caller is not charged twice: the next tick is placed from the anchor.
  clock.advance(2 * kNsPerSec);  // now 2.25 s after the anchor
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 2 * kNsPerSec), 0);
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 3 * kNsPerSec), 750 * kNsPerMs);
}

TEST(Pacer, DueThroughCoversEveryTickDueAtTheLastReading) {
  ManualClock clock(kWall);
  Pacer p(1);
  EXPECT_EQ(p.due_through(), INT64_MIN);
  EXPECT_EQ(p.wait_ns(clock, kRecorded), 0);
  EXPECT_EQ(p.due_through(), kRecorded);
  clock.advance(3 * kNsPerMs);
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 1 * kNsPerMs), 0);
  // The reading 3 ms after the anchor made every tick up to +3 ms due, with no further read.
  EXPECT_EQ(p.due_through(), kRecorded + 3 * kNsPerMs);
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 3 * kNsPerMs + 1), 1);
  Pacer fast(10);
  EXPECT_EQ(fast.wait_ns(clock, kRecorded), 0);
  clock.advance(1 * kNsPerMs);
  EXPECT_EQ(fast.wait_ns(clock, kRecorded + 20 * kNsPerMs), kNsPerMs);
  EXPECT_EQ(fast.due_through(), kRecorded + 10 * kNsPerMs);  // 1 ms of wall = 10 ms recorded
  fast.reset();
  EXPECT_EQ(fast.due_through(), INT64_MIN);
  Pacer unpaced(0);
  EXPECT_EQ(unpaced.wait_ns(clock, kRecorded), 0);
  EXPECT_EQ(unpaced.due_through(), INT64_MAX);
}

TEST(Pacer, TenTimesFasterDividesTheGaps) {
  ManualClock clock(kWall);
  Pacer p(10);
  EXPECT_EQ(p.wait_ns(clock, kRecorded), 0);
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 5 * kNsPerSec), 500 * kNsPerMs);
  clock.advance(499 * kNsPerMs);
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 5 * kNsPerSec), 1 * kNsPerMs);
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 60 * kNsPerSec), 6 * kNsPerSec - 499 * kNsPerMs);
}

TEST(Pacer, HalfSpeedDoublesTheGaps) {
  ManualClock clock(kWall);
  Pacer p(0.5);
  EXPECT_EQ(p.wait_ns(clock, kRecorded), 0);
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 3 * kNsPerMs), 6 * kNsPerMs);
}

TEST(Pacer, TickBeforeTheAnchorIsDueNow) {
  ManualClock clock(kWall);
  Pacer p(1);
  EXPECT_EQ(p.wait_ns(clock, kRecorded), 0);
  EXPECT_EQ(p.wait_ns(clock, kRecorded - 300 * kNsPerMs), 0);  // within the feed's tolerance
}

TEST(Pacer, ResetReanchors) {
  ManualClock clock(kWall);
  Pacer p(1);
  EXPECT_EQ(p.wait_ns(clock, kRecorded), 0);
  clock.advance(10 * kNsPerSec);
  p.reset();
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 100 * kNsPerSec), 0);
  EXPECT_EQ(p.wait_ns(clock, kRecorded + 101 * kNsPerSec), kNsPerSec);
}

TEST(ParseSpeed, AcceptsMaxAndMultiples) {
  EXPECT_EQ(*parse_speed("max"), 0.0);
  EXPECT_EQ(*parse_speed("0"), 0.0);
  EXPECT_EQ(*parse_speed("1"), 1.0);
  EXPECT_EQ(*parse_speed("10"), 10.0);
  EXPECT_EQ(*parse_speed("0.5"), 0.5);
}

TEST(ParseSpeed, RejectsOtherTextNamingIt) {
  for (const char* bad : {"", "fast", "-1", "nan", "inf", "1e9", "0.0001", "10x", " 1", "MAX"}) {
    auto r = parse_speed(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(r.error().message().find(std::string("'") + bad + "'"), std::string::npos)
        << r.error().message();
  }
}

}  // namespace
}  // namespace harrier::feed
