#include "feed/time_spec.h"

#include <gtest/gtest.h>

namespace harrier::feed {
namespace {

constexpr TimestampNs kOpen = 1381152600LL * kNsPerSec;  // 2013-10-07T13:30:00Z (09:30 EDT)

TEST(TimeSpec, IntegerNanoseconds) {
  EXPECT_EQ(*parse_time_spec("1381152600000000000"), kOpen);
  EXPECT_EQ(*parse_time_spec("0"), 0);
}

TEST(TimeSpec, IsoWithZuluOrOffset) {
  EXPECT_EQ(*parse_time_spec("2013-10-07T13:30:00Z"), kOpen);
  EXPECT_EQ(*parse_time_spec("2013-10-07T09:30:00-04:00"), kOpen);
  EXPECT_EQ(*parse_time_spec("2013-10-07T19:00:00+05:30"), kOpen);
  EXPECT_EQ(*parse_time_spec("2013-10-07T13:30:00.007Z"), kOpen + 7 * kNsPerMs);
  EXPECT_EQ(*parse_time_spec("2013-10-07T13:30:00.000000001Z"), kOpen + 1);
  EXPECT_EQ(*parse_time_spec("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_time_spec("2024-02-29T00:00:00Z"), 1709164800LL * kNsPerSec);  // leap day
  EXPECT_EQ(*parse_time_spec("2024-03-04T09:30:00-05:00"), 1709562600LL * kNsPerSec);
}

TEST(TimeSpec, DaysFromCivilMatchesKnownDates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(2013, 10, 7), 15985);
}

TEST(TimeSpec, ErrorsNameTheText) {
  for (const char* bad :
       {"", "yesterday", "2013-10-07T13:30:00", "2013-10-07 13:30:00Z", "2013-10-07",
        "2013-13-07T13:30:00Z", "2013-02-29T13:30:00Z", "2013-10-07T24:00:00Z",
        "2013-10-07T13:60:00Z", "2013-10-07T13:30:00+0400", "2013-10-07T13:30:00Zjunk",
        "2013-10-07T13:30:00.Z", "2013-10-07T13:30:00.1234567890Z", "99999999999999999999",
        "1969-12-31T23:59:59Z", "2262-04-12T00:00:00Z", "-5"}) {
    auto r = parse_time_spec(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(r.error().message().find(std::string("'") + bad + "'"), std::string::npos)
        << r.error().message();
  }
}

}  // namespace
}  // namespace harrier::feed
