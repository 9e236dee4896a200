#include "feed/lean_conditions.h"

#include "market/tick.h"

namespace harrier::feed {

std::uint32_t lean_trade_flags(std::uint32_t condition, bool suspicious) {
  struct Rule {
    std::uint32_t lean_bits;
    std::uint32_t flag;
  };
  // One row per Harrier flag; a flag is set when any of its LEAN bits is present.
  static constexpr Rule kRules[] = {
      {lean::kOddLot, kTradeFlagOddLot},
      // 0x4000 is named OutOfSequence in LEAN but described as "a trade that takes place
      // outside of regular market hours" (UTP 'U': extended hours, sold out of sequence), so
      // it sets both flags.
      {lean::kExtendedHours | lean::kFormT | lean::kOutOfSequence, kTradeFlagExtendedHours},
      {lean::kOutOfSequence | lean::kSold | lean::kPriorReferencePrice, kTradeFlagOutOfSequence},
      {lean::kAveragePrice | lean::kDerivativelyPriced, kTradeFlagAveragePrice},
      {lean::kIntermarketSweep, kTradeFlagIntermarketSweep},
      {lean::kSeller, kTradeFlagSeller},
      {lean::kOpeningPrints | lean::kClosingPrints | lean::kReOpeningPrints | lean::kOfficialOpen |
           lean::kOfficialClose,
       kTradeFlagOpenClose},
  };
  std::uint32_t flags = suspicious ? kTradeFlagSuspicious : kTradeFlagNone;
  for (const Rule& r : kRules) {
    if ((condition & r.lean_bits) != 0) flags |= r.flag;
  }
  return flags;
}

}  // namespace harrier::feed
