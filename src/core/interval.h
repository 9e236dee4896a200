// The six bar intervals of ARCHITECTURE §3, spelled `1s 5s 15s 30s 1m 5m`.
// Bars of interval iv cover [start, start + iv), aligned to the UTC epoch.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "core/types.h"

namespace harrier {

enum class Interval : std::uint8_t { k1s, k5s, k15s, k30s, k1m, k5m };

inline constexpr std::size_t kIntervalCount = 6;
inline constexpr std::array<Interval, kIntervalCount> kAllIntervals = {
    Interval::k1s, Interval::k5s, Interval::k15s, Interval::k30s, Interval::k1m, Interval::k5m};

inline constexpr std::size_t index_of(Interval iv) { return static_cast<std::size_t>(iv); }

inline constexpr DurationNs interval_ns(Interval iv) {
  constexpr std::array<DurationNs, kIntervalCount> ns = {1 * kNsPerSec,  5 * kNsPerSec,
                                                         15 * kNsPerSec, 30 * kNsPerSec,
                                                         60 * kNsPerSec, 300 * kNsPerSec};
  return ns[index_of(iv)];
}

inline constexpr std::string_view interval_name(Interval iv) {
  constexpr std::array<std::string_view, kIntervalCount> names = {"1s",  "5s", "15s",
                                                                  "30s", "1m", "5m"};
  return names[index_of(iv)];
}

// Start of the bar of `iv` that contains `ts`.
inline constexpr TimestampNs bar_start(TimestampNs ts, Interval iv) {
  return floor_div(ts, interval_ns(iv)) * interval_ns(iv);
}

// Parses "1s".."5m". Returns kInvalidInput naming the text and the accepted spellings.
Result<Interval> parse_interval(std::string_view text);

}  // namespace harrier
