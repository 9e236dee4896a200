// LEAN / AlgoSeek trade sale conditions (LEAN Common/Data/Auxiliary/TradeConditionFlags.cs,
// Data/equity/readme.md) mapped to Harrier's TradeFlag bits (market/tick.h). The mapping only
// translates what the vendor says; which flags a bar excludes is decided by the bar engine.
// The table is documented in docs/replay-formats.md. Pure functions.
#pragma once

#include <cstdint>

namespace harrier::feed {

// LEAN TradeConditionFlags bits that the mapping reads (bit values as in LEAN's enum).
namespace lean {
inline constexpr std::uint32_t kSeller = 1u << 3;                // 0x8
inline constexpr std::uint32_t kIntermarketSweep = 1u << 5;      // 0x20
inline constexpr std::uint32_t kDerivativelyPriced = 1u << 9;    // 0x200
inline constexpr std::uint32_t kFormT = 1u << 10;                // 0x400
inline constexpr std::uint32_t kSold = 1u << 11;                 // 0x800 "sold last"
inline constexpr std::uint32_t kExtendedHours = 1u << 13;        // 0x2000
inline constexpr std::uint32_t kOutOfSequence = 1u << 14;        // 0x4000
inline constexpr std::uint32_t kOpeningPrints = 1u << 6;         // 0x40
inline constexpr std::uint32_t kClosingPrints = 1u << 7;         // 0x80
inline constexpr std::uint32_t kReOpeningPrints = 1u << 8;       // 0x100
inline constexpr std::uint32_t kAveragePrice = 1u << 20;         // 0x100000
inline constexpr std::uint32_t kOfficialClose = 1u << 24;        // 0x1000000
inline constexpr std::uint32_t kPriorReferencePrice = 1u << 25;  // 0x2000000
inline constexpr std::uint32_t kOfficialOpen = 1u << 26;         // 0x4000000
inline constexpr std::uint32_t kOddLot = 1u << 31;               // 0x80000000
}  // namespace lean

// TradeFlag bits for a LEAN trade with sale-condition bits `condition` and AlgoSeek's
// suspicious column.
std::uint32_t lean_trade_flags(std::uint32_t condition, bool suspicious);

}  // namespace harrier::feed
