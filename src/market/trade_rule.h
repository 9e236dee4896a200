// Which trade prints shape a bar. A print can set the bar's prices (open, high, low, close,
// and the tick rule's last price), count in its volume (volume, trade_count, vwap, buy/sell
// volume), both, or neither, decided by its TradeFlag bits (market/tick.h). The default is the
// rule that reproduces LEAN's consolidated bars (docs/lean-bar-comparison.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "market/tick.h"

namespace harrier {

struct TradeRule {
  // Prints with any of these flags never set prices.
  std::uint32_t price_exclude = kTradeFlagSuspicious | kTradeFlagOpenClose;
  // Prints with any of these flags do not set prices unless they are extended-hours prints
  // (an intermarket sweep sets the price before the open, not during the session).
  std::uint32_t price_exclude_regular =
      kTradeFlagIntermarketSweep | kTradeFlagSeller | kTradeFlagAveragePrice;
  // Prints with any of these flags do not count in volume.
  std::uint32_t volume_exclude = kTradeFlagSuspicious | kTradeFlagOpenClose;

  bool sets_price(std::uint32_t flags) const {
    if ((flags & price_exclude) != 0) return false;
    return (flags & kTradeFlagExtendedHours) != 0 || (flags & price_exclude_regular) == 0;
  }
  bool counts_volume(std::uint32_t flags) const { return (flags & volume_exclude) == 0; }

  // "none": exclude nothing (every print counts). Otherwise a comma list of flag names (suspicious,
  // odd_lot, extended_hours, out_of_sequence, average_price, open_close, no_last) to exclude.
  static Result<std::uint32_t> parse_flags(std::string_view text);
  static std::string format_flags(std::uint32_t flags);
};

}  // namespace harrier
