#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/interval.h"
#include "core/result.h"
#include "core/symbol_table.h"
#include "core/text.h"

namespace harrier {
namespace {

TEST(Result, ValueAndErrorWithContext) {
  Result<int> good = 7;
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 7);
  Result<int> bad = invalid_input("price is NaN").with_context("spy.csv:12");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.error().message(), "spy.csv:12: price is NaN");
  EXPECT_EQ(bad.error().to_string(), "invalid input: spy.csv:12: price is NaN");
}

Status fails_at(int n, int& reached) {
  for (int i = 0; i < 3; ++i) {
    reached = i;
    HARRIER_TRY(i == n ? Status(io_error("stop")) : ok());
  }
  return ok();
}

TEST(Result, TryReturnsFirstError) {
  int reached = -1;
  EXPECT_FALSE(fails_at(1, reached));
  EXPECT_EQ(reached, 1);
  EXPECT_TRUE(fails_at(5, reached));
  EXPECT_EQ(reached, 2);
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> bad = not_found("x");
  EXPECT_DEATH((void)bad.value(), "CHECK failed");
}

TEST(Interval, ParseFormatAndAlign) {
  for (Interval iv : kAllIntervals) {
    auto parsed = parse_interval(interval_name(iv));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, iv);
  }
  auto bad = parse_interval("2m");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("'2m'"), std::string::npos);
  EXPECT_EQ(interval_ns(Interval::k5m), 300 * kNsPerSec);
  EXPECT_EQ(bar_start(59'999'999'999, Interval::k1m), 0);
  EXPECT_EQ(bar_start(60'000'000'000, Interval::k1m), 60'000'000'000);
  EXPECT_EQ(bar_start(-1, Interval::k1s), -kNsPerSec);
}

TEST(Text, ShortestRoundTripDoubles) {
  std::string s;
  text::append_double(s, 167.41);
  EXPECT_EQ(s, "167.41");
  for (double v : {0.1 + 0.2, 1e300, 5e-324, -0.0, 123456789.123456789}) {
    std::string t;
    text::append_double(t, v);
    auto back = text::parse_double(t);
    ASSERT_TRUE(back) << t;
    EXPECT_EQ(std::signbit(*back), std::signbit(v));
    EXPECT_EQ(*back, v) << t;
  }
  std::string n;
  text::append_double(n, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(n, "nan");
}

TEST(Text, CsvQuotingPerRfc4180) {
  std::string s;
  text::append_csv_field(s, "plain");
  s += ',';
  text::append_csv_field(s, "a,b");
  s += ',';
  text::append_csv_field(s, "say \"hi\"");
  EXPECT_EQ(s, "plain,\"a,b\",\"say \"\"hi\"\"\"");
}

TEST(Text, StrictParsers) {
  EXPECT_EQ(text::parse_int("42"), 42);
  EXPECT_FALSE(text::parse_int("42x"));
  EXPECT_FALSE(text::parse_int(""));
  EXPECT_FALSE(text::parse_double("1.5.2"));
  EXPECT_EQ(text::parse_double("-2.5"), -2.5);
  std::string_view f[4];
  EXPECT_EQ(text::split_csv("a,,c", f, 4), 3u);
  EXPECT_EQ(f[1], "");
  EXPECT_EQ(text::split_csv("a,b,c,d,e", f, 4), 5u);
}

TEST(SymbolTable, InternsAndValidates) {
  SymbolTable t;
  auto spy = t.intern("SPY");
  auto ibm = t.intern("IBM");
  ASSERT_TRUE(spy && ibm);
  EXPECT_EQ(*spy, 0u);
  EXPECT_EQ(*ibm, 1u);
  EXPECT_EQ(*t.intern("SPY"), 0u);
  EXPECT_EQ(t.find("IBM"), 1u);
  EXPECT_EQ(t.find("QQQ"), kNoSymbol);
  EXPECT_FALSE(t.intern("spy"));
  EXPECT_FALSE(t.intern(""));
  EXPECT_EQ(t.size(), 2u);
}

}  // namespace
}  // namespace harrier
