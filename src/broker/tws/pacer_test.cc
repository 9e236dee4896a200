// The pacer on a manual clock: the token bucket's rate, its burst, and the TWS limit of 50
// messages in any one-second window.
#include "broker/tws/pacer.h"

#include <deque>

#include <gtest/gtest.h>

namespace harrier::tws {
namespace {

TEST(Pacer, StartsFullThenRefillsAtTheRate) {
  Pacer p(45, 5);
  std::int64_t t = 1'000 * kNsPerSec;
  int taken = 0;
  while (p.try_take(t)) ++taken;
  EXPECT_EQ(taken, 5);
  EXPECT_GT(p.wait_ns(t), 0);
  // One token every 1/45 s.
  t += kNsPerSec / 45 + 1;
  EXPECT_TRUE(p.try_take(t));
  EXPECT_FALSE(p.try_take(t));
  EXPECT_EQ(p.taken(), 6u);
}

TEST(Pacer, BurstForKeepsRatePlusBurstWithinFifty) {
  EXPECT_EQ(pacer_burst_for(45), 5);
  EXPECT_EQ(pacer_burst_for(49.5), 1);
  EXPECT_EQ(pacer_burst_for(60), 1);
  EXPECT_EQ(pacer_burst_for(10), 40);
}

// Demand far above the limit for 10 s, sampled every 0.1 ms: no one-second window ever holds
// more than 50 messages, and the sustained rate is the configured one.
TEST(Pacer, NoWindowOfOneSecondHoldsMoreThanFifty) {
  Pacer p(45, pacer_burst_for(45));
  std::deque<std::int64_t> window;
  std::size_t worst = 0;
  std::uint64_t total = 0;
  const std::int64_t start = 5 * kNsPerSec;
  for (std::int64_t t = start; t < start + 10 * kNsPerSec; t += 100 * kNsPerUs) {
    while (p.try_take(t)) {
      ++total;
      window.push_back(t);
      while (window.front() <= t - kNsPerSec) window.pop_front();
      worst = std::max(worst, window.size());
    }
  }
  EXPECT_LE(worst, 50u);
  EXPECT_GE(worst, 45u);  // the bucket really lets the rate through
  EXPECT_NEAR(static_cast<double>(total), 45.0 * 10 + 5, 2.0);
}

}  // namespace
}  // namespace harrier::tws
