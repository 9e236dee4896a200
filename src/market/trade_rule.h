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
  std::uint32_t price_exclude = kTradeFlagSuspicious;   // any of these: no effect on prices
  std::uint32_t volume_exclude = kTradeFlagSuspicious;  // any of these: no effect on volume

  bool sets_price(std::uint32_t flags) const { return (flags & price_exclude) == 0; }
  bool counts_volume(std::uint32_t flags) const { return (flags & volume_exclude) == 0; }

  // "none": exclude nothing (every print counts). Otherwise a comma list of flag names (suspicious,
  // odd_lot, extended_hours, out_of_sequence, average_price, open_close, no_last) to exclude.
  static Result<std::uint32_t> parse_flags(std::string_view text);
  static std::string format_flags(std::uint32_t flags);
};

}  // namespace harrier
