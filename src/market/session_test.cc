#include "market/session.h"

#include <gtest/gtest.h>

namespace harrier {
namespace {

TimestampNs utc(std::int64_t y, unsigned m, unsigned d, int hh, int mm) {
  return (days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60) * kNsPerSec;
}

TEST(Civil, RoundTripsAndWeekdays) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(weekday_from_days(0), 4u);                             // Thursday
  EXPECT_EQ(weekday_from_days(days_from_civil(2013, 10, 7)), 1u);  // Monday
  for (std::int64_t z = -800000; z < 800000; z += 997) {
    std::int64_t y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(z, y, m, d);
    EXPECT_EQ(days_from_civil(y, m, d), z);
  }
}

TEST(SessionCalendar, NewYorkOpenAcrossDaylightSaving) {
  auto ny = SessionCalendar::new_york_0930();
  // 2013: DST from Sunday 03-10 to Sunday 11-03.
  EXPECT_EQ(ny.session_start_of_day(days_from_civil(2013, 3, 8)), utc(2013, 3, 8, 14, 30));
  EXPECT_EQ(ny.session_start_of_day(days_from_civil(2013, 3, 11)), utc(2013, 3, 11, 13, 30));
  EXPECT_EQ(ny.session_start_of_day(days_from_civil(2013, 10, 7)), utc(2013, 10, 7, 13, 30));
  EXPECT_EQ(ny.session_start_of_day(days_from_civil(2013, 11, 1)), utc(2013, 11, 1, 13, 30));
  EXPECT_EQ(ny.session_start_of_day(days_from_civil(2013, 11, 4)), utc(2013, 11, 4, 14, 30));
  // 2024: DST from 03-10 to 11-03.
  EXPECT_EQ(ny.session_start_of_day(days_from_civil(2024, 3, 4)), utc(2024, 3, 4, 14, 30));
}

TEST(SessionCalendar, SessionContainingATimestamp) {
  auto ny = SessionCalendar::new_york_0930();
  EXPECT_EQ(ny.session_start(utc(2013, 10, 7, 13, 30)), utc(2013, 10, 7, 13, 30));
  EXPECT_EQ(ny.session_start(utc(2013, 10, 7, 13, 29)), utc(2013, 10, 4, 13, 30));  // Friday
  EXPECT_EQ(ny.session_start(utc(2013, 10, 8, 3, 0)), utc(2013, 10, 7, 13, 30));    // 23:00 EDT
  // Monday before the open (EST again after 11-03) belongs to Friday's session.
  EXPECT_EQ(ny.session_start(utc(2013, 11, 4, 14, 0)), utc(2013, 11, 1, 13, 30));
  EXPECT_EQ(ny.next_session_start(utc(2013, 11, 1, 13, 30)), utc(2013, 11, 4, 14, 30));
  EXPECT_EQ(ny.next_session_start(utc(2013, 10, 7, 13, 29)), utc(2013, 10, 7, 13, 30));
  EXPECT_EQ(ny.session_start(utc(2013, 10, 12, 12, 0)), utc(2013, 10, 11, 13, 30));  // Saturday
}

TEST(SessionCalendar, OtherZonesAndErrors) {
  auto lon = SessionCalendar::make("Europe/London", "08:00");
  ASSERT_TRUE(lon);
  EXPECT_EQ(lon->session_start_of_day(days_from_civil(2024, 1, 15)), utc(2024, 1, 15, 8, 0));
  EXPECT_EQ(lon->session_start_of_day(days_from_civil(2024, 7, 15)), utc(2024, 7, 15, 7, 0));
  auto chi = SessionCalendar::make("America/Chicago", "08:30");
  ASSERT_TRUE(chi);
  EXPECT_EQ(chi->session_start_of_day(days_from_civil(2024, 7, 15)), utc(2024, 7, 15, 13, 30));
  auto bad_zone = SessionCalendar::make("Mars/Olympus", "09:30");
  ASSERT_FALSE(bad_zone);
  EXPECT_NE(bad_zone.error().message().find("Mars/Olympus"), std::string::npos);
  EXPECT_FALSE(SessionCalendar::make("UTC", "9:30"));
  EXPECT_FALSE(SessionCalendar::make("UTC", "01:30"));  // inside a possible DST change
  EXPECT_FALSE(SessionCalendar::make("UTC", "24:00"));
}

}  // namespace
}  // namespace harrier
