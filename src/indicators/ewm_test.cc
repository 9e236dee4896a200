#include "indicators/ewm.h"

#include <gtest/gtest.h>

#include <cmath>

namespace harrier {
namespace {

TEST(Ewm, AdjustFalseRecurrence) {
  Ewm e = Ewm::span(9);
  const double a = 0.2;
  EXPECT_EQ(e.update(10.0), 10.0);  // first value = first input
  double y = 10.0;
  for (double x : {11.0, 9.5, 12.25, 12.25, 8.0}) {
    y = (1 - a) * y + a * x;
    EXPECT_NEAR(e.update(x), y, 1e-12);
  }
}

TEST(Ewm, LeadingNaNsThenSeed) {
  Ewm e(0.5);
  EXPECT_TRUE(std::isnan(e.update(NAN)));
  EXPECT_TRUE(std::isnan(e.update(NAN)));
  EXPECT_EQ(e.update(4.0), 4.0);
  EXPECT_EQ(e.update(8.0), 6.0);
}

TEST(Ewm, GapOfNaNsDecaysTheOldWeightLikePandas) {
  // pandas, adjust=False, ignore_na=False: after k NaNs the next value x gives
  // ((1-a)^(k+1) * y + a * x) / ((1-a)^(k+1) + a).
  Ewm e(0.5);
  e.update(4.0);
  EXPECT_EQ(e.update(NAN), 4.0);  // unchanged through the gap
  EXPECT_EQ(e.update(NAN), 4.0);
  const double w = 0.125;  // (1 - 0.5)^3
  EXPECT_DOUBLE_EQ(e.update(8.0), (w * 4.0 + 0.5 * 8.0) / (w + 0.5));
}

TEST(Ewm, ConstantSeriesStaysExact) {
  Ewm e = Ewm::span(21);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(e.update(167.41), 167.41);
}

}  // namespace
}  // namespace harrier
