#include "feed/time_spec.h"

#include <limits>
#include <string>

#include "core/text.h"

namespace harrier::feed {
namespace {

// Reads exactly `n` digits at `pos` into `out`; advances pos.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

Error bad(std::string_view text, std::string_view why) {
  return invalid_input("bad time '" + std::string(text.substr(0, 64)) + "': " + std::string(why) +
                       " (expected ns since the epoch or ISO-8601 like "
                       "2013-10-07T09:30:00-04:00 or 2013-10-07T13:30:00Z)");
}

}  // namespace

Result<TimestampNs> parse_time_spec(std::string_view text) {
  if (text.empty()) return bad(text, "empty");
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    auto v = text::parse_int(text);
    if (!v) return bad(text, "integer out of range");
    return *v;
  }
  std::size_t p = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, p, 4, year) || !expect(text, p, '-') || !digits(text, p, 2, month) ||
      !expect(text, p, '-') || !digits(text, p, 2, day)) {
    return bad(text, "no YYYY-MM-DD date");
  }
  if (!expect(text, p, 'T') || !digits(text, p, 2, hour) || !expect(text, p, ':') ||
      !digits(text, p, 2, minute) || !expect(text, p, ':') || !digits(text, p, 2, second)) {
    return bad(text, "no THH:MM:SS time");
  }
  if (month < 1 || month > 12) return bad(text, "month out of range");
  if (year < 1970) return bad(text, "year before 1970");
  if (day < 1 || day > days_in_month(year, month)) return bad(text, "day out of range");
  if (hour > 23 || minute > 59 || second > 59) return bad(text, "time of day out of range");

  std::int64_t frac_ns = 0;
  if (p < text.size() && text[p] == '.') {
    ++p;
    std::size_t start = p;
    std::int64_t scale = 100'000'000;
    while (p < text.size() && text[p] >= '0' && text[p] <= '9') {
      if (p - start == 9) return bad(text, "more than 9 fractional digits");
      frac_ns += (text[p] - '0') * scale;
      scale /= 10;
      ++p;
    }
    if (p == start) return bad(text, "no digits after '.'");
  }

  std::int64_t offset_s = 0;
  if (p >= text.size()) return bad(text, "no zone: add Z or an offset such as -04:00");
  if (text[p] == 'Z') {
    ++p;
  } else if (text[p] == '+' || text[p] == '-') {
    int sign = text[p] == '-' ? -1 : 1;
    ++p;
    int oh = 0, om = 0;
    if (!digits(text, p, 2, oh) || !expect(text, p, ':') || !digits(text, p, 2, om) || oh > 23 ||
        om > 59) {
      return bad(text, "bad UTC offset (expected +HH:MM or -HH:MM)");
    }
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return bad(text, "no zone: add Z or an offset such as -04:00");
  }
  if (p != text.size()) return bad(text, "unexpected text after the zone");

  std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  if (secs < 0) return bad(text, "before 1970-01-01T00:00:00Z");
  if (secs > (std::numeric_limits<std::int64_t>::max() - frac_ns) / kNsPerSec) {
    return bad(text, "too late for int64 nanoseconds (after 2262-04-11)");
  }
  return secs * kNsPerSec + frac_ns;
}

}  // namespace harrier::feed
