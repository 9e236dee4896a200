#include "market/sweep_detector.h"

#include <gtest/gtest.h>

namespace harrier {
namespace {

constexpr TimestampNs kMs = kNsPerMs;

TEST(SweepDetector, SellSweepWalksDown) {
  SweepDetector d;
  EXPECT_FALSE(d.on_trade(0, 10.05, 100, Side::kSell));
  EXPECT_FALSE(d.on_trade(5 * kMs, 10.05, 200, Side::kSell));  // same level
  auto e = d.on_trade(10 * kMs, 10.04, 300, Side::kSell);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->side, Side::kSell);
  EXPECT_EQ(e->levels, 2);
  EXPECT_EQ(e->volume, 600);
  EXPECT_FALSE(d.on_trade(12 * kMs, 10.03, 100, Side::kSell));  // same run: not again
}

TEST(SweepDetector, RunBreaksOnSideReversalOrWindow) {
  SweepDetector d;
  EXPECT_FALSE(d.on_trade(0, 10.00, 100, Side::kBuy));
  EXPECT_FALSE(d.on_trade(1 * kMs, 10.01, 100, Side::kSell));   // side change: new run
  EXPECT_FALSE(d.on_trade(2 * kMs, 10.02, 100, Side::kSell));   // sell walking up: new run
  EXPECT_FALSE(d.on_trade(60 * kMs, 10.01, 100, Side::kSell));  // past 50 ms: new run
  EXPECT_TRUE(d.on_trade(70 * kMs, 10.00, 100, Side::kSell));
}

}  // namespace
}  // namespace harrier
