// Trading-session calendar: the UTC instant at which each weekday's session starts (default
// 09:30 America/New_York, ARCHITECTURE §3), across daylight-saving changes. Session-scoped
// columns (session_vwap, cum_delta) reset there. Sessions start Monday to Friday; a session
// runs until the next one starts (so Friday's runs through the weekend into Monday's
// pre-market). Exchange holidays are not modelled: a holiday starts a session with no trades.
//
// Time zones are rule-based, not read from the tz database: the supported zones are UTC, the
// US zones (America/New_York, America/Chicago, America/Denver, America/Los_Angeles; US rules
// in force since 2007: DST from the second Sunday of March to the first Sunday of November,
// changing at 02:00 local) and Europe/London, Europe/Berlin, Europe/Paris (EU rules: last
// Sunday of March to last Sunday of October, at 01:00 UTC). Session starts must fall after
// 02:00 local, so a day's session start never sits inside a change.
// Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/types.h"

namespace harrier {

class SessionCalendar {
 public:
  // `tz` as above; `start` as "HH:MM" local. Errors name the bad value.
  static Result<SessionCalendar> make(std::string_view tz, std::string_view start);
  static SessionCalendar new_york_0930();

  // Start (UTC ns) of the session that contains `ts`: the latest session start <= ts.
  TimestampNs session_start(TimestampNs ts) const;
  // The earliest session start > ts.
  TimestampNs next_session_start(TimestampNs ts) const;
  static bool is_session_day(std::int64_t days);
  // Start of the session of the local calendar day `days` (days since 1970-01-01).
  TimestampNs session_start_of_day(std::int64_t days) const;
  // UTC offset in seconds in force at local civil time on local day `days` at second-of-day
  // `sod` (used by tests and by session_start_of_day).
  std::int64_t utc_offset_s(std::int64_t days, std::int64_t sod) const;

  const std::string& zone() const { return zone_; }

 private:
  enum class Rule : std::uint8_t { kNone, kUs, kEu };
  SessionCalendar(std::string zone, std::int64_t std_offset_s, Rule rule, std::int64_t start_sod)
      : zone_(std::move(zone)), std_offset_s_(std_offset_s), rule_(rule), start_sod_(start_sod) {}

  std::string zone_;
  std::int64_t std_offset_s_;  // standard-time offset from UTC, e.g. -5h for New York
  Rule rule_;
  std::int64_t start_sod_;  // local seconds after midnight
};

// Civil-date helpers (proleptic Gregorian, after H. Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t days, std::int64_t& y, unsigned& m, unsigned& d);
// 0 = Sunday .. 6 = Saturday.
unsigned weekday_from_days(std::int64_t days);

}  // namespace harrier
