#include "risk/trailing_stop.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace harrier::risk {
namespace {

StopParams percent(double pct) { return {StopMode::kPercent, pct, 3}; }
StopParams atr_mode(double mult, double fallback_pct = 1) {
  return {StopMode::kAtr, fallback_pct, mult};
}

TEST(TrailingStop, PercentTrailFollowsTheBestPriceOfALong) {
  auto s = TrailingStop::open(100, 100.0, percent(1));
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_TRUE(s->is_long());
  EXPECT_DOUBLE_EQ(s->best_price(), 100.0);
  EXPECT_DOUBLE_EQ(s->stop_price(), 99.0);
  EXPECT_FALSE(s->on_price(102.0));
  EXPECT_DOUBLE_EQ(s->best_price(), 102.0);
  EXPECT_DOUBLE_EQ(s->stop_price(), 102.0 * 0.99);
  // A fall that stays above the stop changes neither best nor stop.
  EXPECT_FALSE(s->on_price(101.5));
  EXPECT_DOUBLE_EQ(s->best_price(), 102.0);
  EXPECT_DOUBLE_EQ(s->stop_price(), 102.0 * 0.99);
  EXPECT_FALSE(s->triggered());
}

TEST(TrailingStop, TriggersExactlyOnceAtTheStop) {
  auto s = TrailingStop::open(10, 50.0, percent(2));
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->on_price(60.0));
  const double stop = s->stop_price();
  EXPECT_DOUBLE_EQ(stop, 60.0 * 0.98);
  EXPECT_FALSE(s->on_price(stop + 0.01));
  EXPECT_TRUE(s->on_price(stop));  // at the stop counts
  EXPECT_TRUE(s->triggered());
  // Frozen afterwards: no second trigger, no new best.
  EXPECT_FALSE(s->on_price(stop - 1));
  EXPECT_FALSE(s->on_price(70.0));
  EXPECT_DOUBLE_EQ(s->best_price(), 60.0);
  EXPECT_DOUBLE_EQ(s->stop_price(), stop);
}

TEST(TrailingStop, ShortTrailsAboveTheLowestPrice) {
  auto s = TrailingStop::open(-100, 100.0, percent(1));
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->is_long());
  EXPECT_DOUBLE_EQ(s->stop_price(), 101.0);
  EXPECT_FALSE(s->on_price(90.0));
  EXPECT_DOUBLE_EQ(s->best_price(), 90.0);
  EXPECT_DOUBLE_EQ(s->stop_price(), 90.0 * 1.01);
  EXPECT_FALSE(s->on_price(90.5));  // back up, but the stop stays where it was
  EXPECT_DOUBLE_EQ(s->stop_price(), 90.0 * 1.01);
  EXPECT_TRUE(s->on_price(91.0));
}

TEST(TrailingStop, GapThroughTheStopTriggers) {
  auto s = TrailingStop::open(1, 100.0, percent(0.5));
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->on_price(80.0));
}

TEST(TrailingStop, IgnoresBadPrices) {
  auto s = TrailingStop::open(1, 100.0, percent(1));
  ASSERT_TRUE(s);
  const double inf = std::numeric_limits<double>::infinity();
  for (double bad : {0.0, -5.0, std::nan(""), inf, -inf}) {
    EXPECT_FALSE(s->on_price(bad)) << bad;
  }
  EXPECT_DOUBLE_EQ(s->best_price(), 100.0);
  EXPECT_FALSE(s->triggered());
}

TEST(TrailingStop, RejectsBadPositions) {
  EXPECT_FALSE(TrailingStop::open(0, 100.0, percent(1)));
  EXPECT_FALSE(TrailingStop::open(1, 0.0, percent(1)));
  EXPECT_FALSE(TrailingStop::open(1, std::nan(""), percent(1)));
  EXPECT_FALSE(TrailingStop::open(1, 100.0, percent(0)));
  EXPECT_FALSE(TrailingStop::open(1, 100.0, percent(150)));
  EXPECT_FALSE(TrailingStop::open(1, 100.0, atr_mode(-1)));
}

TEST(TrailingStop, AtrModeUsesTheMultipleAndNeverLoosens) {
  auto s = TrailingStop::open(100, 100.0, atr_mode(3, 1));
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->using_fallback());
  EXPECT_DOUBLE_EQ(s->stop_price(), 99.0);  // percent fallback until an ATR is known
  s->set_atr(0.2);                          // 0.6 below best: tighter than 1.0, applied
  EXPECT_FALSE(s->using_fallback());
  EXPECT_DOUBLE_EQ(s->stop_price(), 100.0 - 0.6);
  s->set_atr(0.5);  // 1.5 below best would loosen the stop: ignored
  EXPECT_DOUBLE_EQ(s->stop_price(), 100.0 - 0.6);
  EXPECT_FALSE(s->on_price(102.0));  // new best: 102 - 3 * 0.5 = 100.5 > 99.4
  EXPECT_DOUBLE_EQ(s->stop_price(), 102.0 - 1.5);
  s->set_atr(std::nan(""));  // ignored
  s->set_atr(-1);
  EXPECT_DOUBLE_EQ(*s->atr(), 0.5);
  EXPECT_FALSE(s->on_price(100.6));
  EXPECT_TRUE(s->on_price(100.5));
}

TEST(TrailingStop, RestoreKeepsTheSavedBestPrice) {
  auto s = TrailingStop::restore(100, 100.0, 110.0, 108.0, percent(1));
  ASSERT_TRUE(s);
  EXPECT_DOUBLE_EQ(s->best_price(), 110.0);
  EXPECT_DOUBLE_EQ(s->stop_price(), 110.0 * 0.99);  // 108.0 is looser: tightened to the trail
  EXPECT_FALSE(s->on_price(109.0));
  EXPECT_TRUE(s->on_price(108.8));

  // A saved stop tighter than the trail is kept (it never loosens across a restart).
  auto t = TrailingStop::restore(100, 100.0, 110.0, 109.5, percent(1));
  ASSERT_TRUE(t);
  EXPECT_DOUBLE_EQ(t->stop_price(), 109.5);
  // Garbage in the saved state falls back to a fresh stop.
  auto u = TrailingStop::restore(100, 100.0, std::nan(""), -3, percent(1));
  ASSERT_TRUE(u);
  EXPECT_DOUBLE_EQ(u->best_price(), 100.0);
  EXPECT_DOUBLE_EQ(u->stop_price(), 99.0);
  // A saved best below the entry of a long is not a best price.
  auto v = TrailingStop::restore(100, 100.0, 90.0, kNaN, percent(1));
  ASSERT_TRUE(v);
  EXPECT_DOUBLE_EQ(v->best_price(), 100.0);
}

Bar bar(double high, double low, double close) {
  Bar b;
  b.high = high;
  b.low = low;
  b.close = close;
  b.close_filled = close;
  return b;
}

// Textbook Wilder ATR, written independently: TR from the three differences, seed with the
// simple mean, then ATR = ((n - 1) * ATR + TR) / n.
double reference_atr(const std::vector<Bar>& bars, int n) {
  std::vector<double> tr;
  for (std::size_t i = 1; i < bars.size(); ++i) {
    const double pc = bars[i - 1].close_filled;
    tr.push_back(std::max(
        {bars[i].high - bars[i].low, std::abs(bars[i].high - pc), std::abs(bars[i].low - pc)}));
  }
  double atr = 0;
  for (int i = 0; i < n; ++i) atr += tr[static_cast<std::size_t>(i)];
  atr /= n;
  for (std::size_t i = static_cast<std::size_t>(n); i < tr.size(); ++i) {
    atr = ((n - 1) * atr + tr[i]) / n;
  }
  return atr;
}

TEST(WilderAtr, ConstantRangeGivesThatRange) {
  std::vector<Bar> bars;
  for (int i = 0; i < 20; ++i) bars.push_back(bar(101, 99, 100));
  auto atr = wilder_atr(bars, 14);
  ASSERT_TRUE(atr);
  EXPECT_DOUBLE_EQ(*atr, 2.0);
}

TEST(WilderAtr, MatchesTheTextbookFormulaWithGaps) {
  std::vector<Bar> bars;
  double px = 100;
  for (int i = 0; i < 40; ++i) {
    // A deterministic zig-zag with gaps, so previous-close terms matter.
    const double gap = (i % 5 == 0) ? 1.5 : (i % 3 == 0 ? -0.8 : 0.1);
    px += gap;
    bars.push_back(bar(px + 0.3 + 0.01 * i, px - 0.2, px + (i % 2 == 0 ? 0.1 : -0.1)));
  }
  for (int n : {1, 5, 14, 39}) {
    auto atr = wilder_atr(bars, n);
    ASSERT_TRUE(atr) << n;
    EXPECT_NEAR(*atr, reference_atr(bars, n), 1e-9) << n;
  }
  EXPECT_FALSE(wilder_atr(bars, 40));  // needs period + 1 bars
  EXPECT_FALSE(wilder_atr(bars, 0));
}

TEST(WilderAtr, BarsWithoutTradesUseTheFilledClose) {
  std::vector<Bar> bars;
  Bar empty;  // no close known yet: skipped
  bars.push_back(empty);
  bars.push_back(bar(11, 9, 10));
  Bar filled;  // no trades: high = low = close_filled = 10, TR = 0
  filled.close_filled = 10;
  bars.push_back(filled);
  bars.push_back(bar(12, 10, 11));  // TR = max(12, 10) - min(10, 10) = 2
  auto atr = wilder_atr(bars, 2);
  ASSERT_TRUE(atr);
  EXPECT_DOUBLE_EQ(*atr, 1.0);
}

TEST(StopMode, ParsesBothNames) {
  EXPECT_EQ(parse_stop_mode("percent").value(), StopMode::kPercent);
  EXPECT_EQ(parse_stop_mode("atr").value(), StopMode::kAtr);
  auto bad = parse_stop_mode("nope");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("nope"), std::string::npos);
  EXPECT_EQ(stop_mode_name(StopMode::kAtr), "atr");
}

}  // namespace
}  // namespace harrier::risk
