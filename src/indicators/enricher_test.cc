#include "indicators/enricher.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace harrier {
namespace {

Bar bar_with_close(double c) {
  Bar b;
  b.close_filled = c;
  b.volume = 100;
  b.delta = 10;
  return b;
}

TEST(SeriesIndicators, RsiFirstBarNaNThenWilder) {
  SeriesIndicators s;
  Bar b0 = bar_with_close(10.0);
  s.apply(b0);
  EXPECT_TRUE(std::isnan(b0.rsi14));
  Bar b1 = bar_with_close(11.0);  // a gain only: avg_loss 0 -> RSI 100
  s.apply(b1);
  EXPECT_EQ(b1.rsi14, 100.0);
  Bar b2 = bar_with_close(10.5);
  s.apply(b2);
  const double a = 1.0 / 14.0;
  const double gain = (1 - a) * 1.0 + a * 0.0;
  const double loss = (1 - a) * 0.0 + a * 0.5;
  EXPECT_NEAR(b2.rsi14, 100.0 - 100.0 / (1.0 + gain / loss), 1e-12);
}

TEST(SeriesIndicators, FlatSeriesRsiIsNaN) {
  SeriesIndicators s;
  Bar b0 = bar_with_close(5.0), b1 = bar_with_close(5.0);
  s.apply(b0);
  s.apply(b1);
  EXPECT_TRUE(std::isnan(b1.rsi14));  // 0/0, as pandas gives
}

TEST(SeriesIndicators, MacdAndEmas) {
  SeriesIndicators s;
  std::vector<double> closes = {100, 101, 102.5, 101.75, 103, 104.25, 103.5};
  double e9 = 0, e12 = 0, e26 = 0, sig = 0;
  for (std::size_t i = 0; i < closes.size(); ++i) {
    Bar b = bar_with_close(closes[i]);
    s.apply(b);
    const double x = closes[i];
    if (i == 0) {
      e9 = e12 = e26 = x;
    } else {
      e9 = 0.8 * e9 + 0.2 * x;
      e12 = (1 - 2.0 / 13) * e12 + 2.0 / 13 * x;
      e26 = (1 - 2.0 / 27) * e26 + 2.0 / 27 * x;
    }
    const double macd = e12 - e26;
    sig = i == 0 ? macd : 0.8 * sig + 0.2 * macd;
    EXPECT_NEAR(b.ema9, e9, 1e-9);
    EXPECT_NEAR(b.macd, macd, 1e-9);
    EXPECT_NEAR(b.macd_signal, sig, 1e-9);
    EXPECT_DOUBLE_EQ(b.macd_hist, b.macd - b.macd_signal);
    EXPECT_EQ(b.ema_volume, 100.0);
    EXPECT_EQ(b.ema_delta, 10.0);
  }
}

TEST(Enricher, SeriesAreKeptPerSymbolAndInterval) {
  Enricher e;
  Bar a = bar_with_close(10), b = bar_with_close(20), c = bar_with_close(30);
  e.apply(0, Interval::k1s, a);
  e.apply(3, Interval::k1s, b);
  e.apply(0, Interval::k5s, c);
  EXPECT_EQ(a.ema9, 10);
  EXPECT_EQ(b.ema9, 20);
  EXPECT_EQ(c.ema9, 30);
  Bar a2 = bar_with_close(20);
  e.apply(0, Interval::k1s, a2);
  EXPECT_DOUBLE_EQ(a2.ema9, 12.0);
}

}  // namespace
}  // namespace harrier
