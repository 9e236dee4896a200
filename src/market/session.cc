#include "market/session.h"

#include "core/text.h"

namespace harrier {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

unsigned weekday_from_days(std::int64_t z) {
  return static_cast<unsigned>(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6);
}

namespace {

constexpr std::int64_t kDay = 86400;

// Day number of the n-th (1-based) Sunday of month m in year y.
std::int64_t nth_sunday(std::int64_t y, unsigned m, unsigned n) {
  std::int64_t first = days_from_civil(y, m, 1);
  unsigned wd = weekday_from_days(first);
  std::int64_t first_sunday = first + (7 - wd) % 7;
  return first_sunday + 7 * (n - 1);
}

std::int64_t last_sunday(std::int64_t y, unsigned m) {
  std::int64_t next_first = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
  std::int64_t last = next_first - 1;
  return last - weekday_from_days(last);
}

}  // namespace

Result<SessionCalendar> SessionCalendar::make(std::string_view tz, std::string_view start) {
  struct Zone {
    std::string_view name;
    std::int64_t offset_h;
    Rule rule;
  };
  static constexpr Zone kZones[] = {
      {"UTC", 0, Rule::kNone},
      {"America/New_York", -5, Rule::kUs},
      {"America/Chicago", -6, Rule::kUs},
      {"America/Denver", -7, Rule::kUs},
      {"America/Los_Angeles", -8, Rule::kUs},
      {"Europe/London", 0, Rule::kEu},
      {"Europe/Berlin", 1, Rule::kEu},
      {"Europe/Paris", 1, Rule::kEu},
  };
  const Zone* zone = nullptr;
  for (const Zone& z : kZones) {
    if (z.name == tz) zone = &z;
  }
  if (zone == nullptr) {
    return invalid_input("unsupported time zone '" + std::string(tz) +
                         "' (supported: UTC, America/New_York, America/Chicago, America/Denver, "
                         "America/Los_Angeles, Europe/London, Europe/Berlin, Europe/Paris)");
  }
  auto bad_start = [&] {
    return invalid_input("session start '" + std::string(start) +
                         "' is not HH:MM between 02:00 and 23:59");
  };
  if (start.size() != 5 || start[2] != ':') return bad_start();
  auto hh = text::parse_int(start.substr(0, 2));
  auto mm = text::parse_int(start.substr(3, 2));
  if (!hh || !mm || *hh < 2 || *hh > 23 || *mm < 0 || *mm > 59) return bad_start();
  return SessionCalendar(std::string(zone->name), zone->offset_h * 3600, zone->rule,
                         *hh * 3600 + *mm * 60);
}

SessionCalendar SessionCalendar::new_york_0930() {
  return SessionCalendar("America/New_York", -5 * 3600, Rule::kUs, 9 * 3600 + 30 * 60);
}

std::int64_t SessionCalendar::utc_offset_s(std::int64_t days, std::int64_t sod) const {
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  bool dst = false;
  switch (rule_) {
    case Rule::kNone:
      break;
    case Rule::kUs: {
      // Changes at 02:00 local time.
      std::int64_t begin = nth_sunday(y, 3, 2) * kDay + 2 * 3600;
      std::int64_t end = nth_sunday(y, 11, 1) * kDay + 2 * 3600;
      std::int64_t local = days * kDay + sod;
      dst = local >= begin && local < end;
      break;
    }
    case Rule::kEu: {
      // Changes at 01:00 UTC; compare in UTC using the standard offset as a first guess.
      std::int64_t begin = last_sunday(y, 3) * kDay + 3600;
      std::int64_t end = last_sunday(y, 10) * kDay + 3600;
      std::int64_t utc = days * kDay + sod - std_offset_s_;
      dst = utc >= begin && utc < end;
      break;
    }
  }
  return std_offset_s_ + (dst ? 3600 : 0);
}

TimestampNs SessionCalendar::session_start_of_day(std::int64_t days) const {
  std::int64_t local = days * kDay + start_sod_;
  return (local - utc_offset_s(days, start_sod_)) * kNsPerSec;
}

bool SessionCalendar::is_session_day(std::int64_t days) {
  unsigned wd = weekday_from_days(days);
  return wd >= 1 && wd <= 5;
}

TimestampNs SessionCalendar::session_start(TimestampNs ts) const {
  const std::int64_t day = floor_div(floor_div(ts, kNsPerSec) + std_offset_s_, kDay);
  // The local day of ts is day or day +- 1; a weekend is at most 3 days back.
  for (std::int64_t d = day + 1; d >= day - 5; --d) {
    if (!is_session_day(d)) continue;
    TimestampNs s = session_start_of_day(d);
    if (s <= ts) return s;
  }
  return session_start_of_day(day - 6);  // unreachable: five weekdays in any seven days
}

TimestampNs SessionCalendar::next_session_start(TimestampNs ts) const {
  const std::int64_t day = floor_div(floor_div(ts, kNsPerSec) + std_offset_s_, kDay);
  for (std::int64_t d = day - 1; d <= day + 5; ++d) {
    if (!is_session_day(d)) continue;
    TimestampNs s = session_start_of_day(d);
    if (s > ts) return s;
  }
  return session_start_of_day(day + 6);
}

}  // namespace harrier
