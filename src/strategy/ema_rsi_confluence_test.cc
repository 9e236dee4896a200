// The example strategy's gates, each way: every gate passing enters; each single gate failing
// skips with that gate's reason; parameters come from the config with errors naming the key.
#include "strategy/ema_rsi_confluence.h"

#include <gtest/gtest.h>

#include <vector>

namespace harrier::strategy {
namespace {

constexpr TimestampNs kBar = 1381152600LL * kNsPerSec;  // 2013-10-07 13:30:00 UTC

// A window of three bars of `iv` ending with the bar that starts at `last_start`, whose last
// bar has the given ema9/ema21/rsi.
std::vector<Bar> window(Interval iv, TimestampNs last_start, double ema9, double ema21,
                        double rsi) {
  std::vector<Bar> bars(3);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    bars[i].ts = last_start - static_cast<TimestampNs>(2 - i) * interval_ns(iv);
    bars[i].seq = static_cast<std::int64_t>(i);
    bars[i].close = bars[i].close_filled = 100;
    bars[i].ema9 = ema9 - 1;  // earlier bars are ignored: only the last one counts
    bars[i].ema21 = ema21 + 1;
  }
  bars.back().ema9 = ema9;
  bars.back().ema21 = ema21;
  bars.back().rsi14 = rsi;
  return bars;
}

class EmaRsiTest : public ::testing::Test {
 protected:
  EmaRsiTest() : strat_(params()) {
    one_min_ = window(Interval::k1m, kBar, 101, 100, 60);
    five_min_ = window(Interval::k5m, bar_start(kBar, Interval::k5m), 102, 100, 55);
    bundle_.bars[index_of(Interval::k1m)] = one_min_;
    bundle_.bars[index_of(Interval::k5m)] = five_min_;
    // Quote 500 ms before the 1m bar's end, 2 bps wide.
    quote_ = Quote{99.99, 100.01, 300, 200, 100.0, kBar + 60 * kNsPerSec - 500 * kNsPerMs};
  }
  static EmaRsiParams params() {
    EmaRsiParams p;
    p.qty = 100;
    p.intervals = {Interval::k1m, Interval::k5m};
    p.trigger = Interval::k1m;
    p.rsi_min = 50;
    p.rsi_max = 70;
    p.max_quote_age_ms = 2000;
    p.max_spread_bps = 10;
    return p;
  }
  Decision run() {
    Context ctx{"SPY", Interval::k1m, kBar, bundle_, quote_, state_};
    return strat_.evaluate(ctx);
  }

  EmaRsiConfluence strat_;
  std::vector<Bar> one_min_, five_min_;
  BarBundle bundle_;
  std::optional<Quote> quote_;
  EngineState state_;
};

TEST_F(EmaRsiTest, ReadsTheTriggerAndTheConfluenceIntervalsOnly) {
  EXPECT_EQ(strat_.reads(), (std::vector<Interval>{Interval::k1m, Interval::k5m}));
  EmaRsiParams p = params();
  p.trigger = Interval::k1s;
  p.intervals = {Interval::k5m};
  EXPECT_EQ(EmaRsiConfluence(p).reads(), (std::vector<Interval>{Interval::k5m, Interval::k1s}));
}

TEST_F(EmaRsiTest, EntersWhenEveryGatePasses) {
  Decision d = run();
  ASSERT_TRUE(d.enter) << d.reason;
  EXPECT_EQ(d.side, Side::kBuy);
  EXPECT_EQ(d.qty, 100);
  EXPECT_EQ(d.type, OrderType::kMarket);
}

TEST_F(EmaRsiTest, EmaGateOnEachInterval) {
  five_min_.back().ema9 = 99;  // 5m turns down
  Decision d = run();
  EXPECT_FALSE(d.enter);
  EXPECT_EQ(d.reason, "ema_5m");
  five_min_.back().ema9 = 100;  // equal is not above
  EXPECT_EQ(run().reason, "ema_5m");
  five_min_.back().ema9 = 102;
  one_min_.back().ema21 = kNaN;  // undefined EMA never passes
  EXPECT_EQ(run().reason, "ema_1m");
  one_min_.back().ema21 = 100;
  EXPECT_TRUE(run().enter);
}

TEST_F(EmaRsiTest, EmaGateCanBeDropped) {
  five_min_.back().ema9 = 99;  // 5m down, 1m undefined: the gate would refuse
  one_min_.back().ema21 = kNaN;
  EXPECT_EQ(run().reason, "ema_1m");
  EmaRsiParams p = params();
  p.ema_uptrend = false;
  EmaRsiConfluence loose(p);
  Context ctx{"SPY", Interval::k1m, kBar, bundle_, quote_, state_};
  Decision d = loose.evaluate(ctx);
  EXPECT_TRUE(d.enter) << d.reason;
  // The other gates still hold.
  quote_.reset();
  Context no_quote{"SPY", Interval::k1m, kBar, bundle_, quote_, state_};
  EXPECT_EQ(loose.evaluate(no_quote).reason, "no_quote");
}

TEST_F(EmaRsiTest, IntervalsOutsideTheListAreNotRequired) {
  // 30s is absent from the bundle and not in strategy.intervals: no effect.
  EXPECT_TRUE(run().enter);
  // An interval in the list with no bars is a skip naming it.
  bundle_.bars[index_of(Interval::k5m)] = {};
  EXPECT_EQ(run().reason, "no_bars_5m");
}

TEST_F(EmaRsiTest, RsiBandIsInclusive) {
  one_min_.back().rsi14 = 70;
  EXPECT_TRUE(run().enter);
  one_min_.back().rsi14 = 50;
  EXPECT_TRUE(run().enter);
  one_min_.back().rsi14 = 70.0001;
  EXPECT_EQ(run().reason, "rsi");
  one_min_.back().rsi14 = 49.99;
  EXPECT_EQ(run().reason, "rsi");
  one_min_.back().rsi14 = kNaN;
  EXPECT_EQ(run().reason, "rsi");
}

TEST_F(EmaRsiTest, QuoteFreshnessIsMeasuredAgainstTheBarEnd) {
  const TimestampNs end = kBar + 60 * kNsPerSec;
  quote_->ts_ns = end - 2000 * kNsPerMs;  // exactly max age: fresh
  EXPECT_TRUE(run().enter);
  quote_->ts_ns = end - 2001 * kNsPerMs;
  EXPECT_EQ(run().reason, "stale_quote");
  quote_->ts_ns = end + 5 * kNsPerMs;  // a quote after the bar end is fresh
  EXPECT_TRUE(run().enter);
  quote_.reset();
  EXPECT_EQ(run().reason, "no_quote");
}

TEST_F(EmaRsiTest, SpreadGate) {
  quote_->bid = 99.94;  // 0.11 wide around 99.995: 11.0 bps
  quote_->ask = 100.05;
  EXPECT_EQ(run().reason, "spread");
  quote_->bid = 99.96;  // 0.09 wide: 9.0 bps
  quote_->ask = 100.05;
  EXPECT_TRUE(run().enter);
  quote_->bid = 100.10;  // crossed
  EXPECT_EQ(run().reason, "bad_quote");
  quote_->bid = kNaN;
  EXPECT_EQ(run().reason, "bad_quote");
}

TEST_F(EmaRsiTest, EngineStateGates) {
  state_.halted = true;
  EXPECT_EQ(run().reason, "halted");
  state_.halted = false;
  state_.position = 100;
  EXPECT_EQ(run().reason, "not_flat");
  state_.position = 0;
  state_.open_order = true;
  EXPECT_EQ(run().reason, "open_order");
  state_.open_order = false;
  EXPECT_TRUE(run().enter);
}

TEST_F(EmaRsiTest, OnlyTheSealedTriggerBarIsEvaluated) {
  one_min_.push_back(one_min_.back());
  one_min_.back().ts += 60 * kNsPerSec;  // the bundle already holds the next bar
  bundle_.bars[index_of(Interval::k1m)] = one_min_;
  EXPECT_EQ(run().reason, "superseded");
  one_min_.pop_back();
  one_min_.pop_back();  // the bundle lags the event
  bundle_.bars[index_of(Interval::k1m)] = one_min_;
  EXPECT_EQ(run().reason, "no_bars_1m");
}

TEST(EmaRsiParams, FromConfig) {
  Config cfg;
  cfg.strategy.intervals = {"30s", "5m"};
  cfg.strategy.trigger = "30s";
  cfg.strategy.qty = 7;
  auto p = EmaRsiConfluence::params_from(cfg);
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->trigger, Interval::k30s);
  ASSERT_EQ(p->intervals.size(), 2u);
  EXPECT_EQ(p->intervals[0], Interval::k30s);
  EXPECT_EQ(p->qty, 7);

  cfg.strategy.intervals = {};
  auto empty = EmaRsiConfluence::params_from(cfg);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message().find("'strategy.intervals'"), std::string::npos);

  cfg.strategy.intervals = {"1m"};
  cfg.strategy.rsi_min = 80;
  cfg.strategy.rsi_max = 20;
  auto bad = EmaRsiConfluence::params_from(cfg);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("'strategy.rsi_min'"), std::string::npos);
}

TEST(MakeStrategy, ByName) {
  Config cfg;
  auto s = make_strategy(cfg);
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ((*s)->name(), "ema_rsi_confluence");
  EXPECT_EQ((*s)->trigger(), Interval::k1m);
  cfg.strategy.name = "nope";
  auto bad = make_strategy(cfg);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("'strategy.name'"), std::string::npos);
}

}  // namespace
}  // namespace harrier::strategy
