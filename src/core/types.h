// Core value types shared by every module: timestamps, symbols and sides.
// Times are int64 nanoseconds since the UTC epoch. Prices are doubles in the instrument's
// currency (Arrow float64 downstream); sizes are int64 shares or contracts.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

namespace harrier {

using TimestampNs = std::int64_t;  // ns since 1970-01-01T00:00:00Z
using DurationNs = std::int64_t;

inline constexpr DurationNs kNsPerUs = 1'000;
inline constexpr DurationNs kNsPerMs = 1'000'000;
inline constexpr DurationNs kNsPerSec = 1'000'000'000;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Index into a SymbolTable. Hot-path structs carry this, never a string.
using SymbolId = std::uint32_t;
inline constexpr SymbolId kNoSymbol = std::numeric_limits<SymbolId>::max();

enum class Side : std::uint8_t { kBuy, kSell };

inline constexpr std::string_view side_name(Side s) { return s == Side::kBuy ? "buy" : "sell"; }

// Floor division for possibly negative timestamps (bars before 1970 are not expected, but the
// arithmetic must still be right).
inline constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace harrier
