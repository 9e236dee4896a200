// Trailing stop of one open position (issue #5, P3), as pure logic: no Redis, no clock. The
// telemetry role feeds it prices and the ATR and persists its state in stop:{sym}.
//
// A long position (qty > 0) trails below the best price since entry; a short one (qty < 0) trails
// above the lowest price since entry. The distance is either a percent of the best price
// (mode percent: best * trail_pct / 100) or a multiple of the ATR (mode atr: atr_mult * ATR).
// The stop only ever tightens: a new best price or a smaller ATR moves it toward the price, a
// larger ATR never moves it back. In mode atr, until an ATR is known the percent distance is
// used (see docs/telemetry.md). The stop triggers when a price reaches it (long: price <= stop,
// short: price >= stop); after that the stop is frozen.
// Units: prices in the instrument's currency. Thread-safety: a plain value, one owner.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/result.h"
#include "market/bar.h"

namespace harrier::risk {

enum class StopMode : std::uint8_t { kPercent, kAtr };

// "percent" | "atr"; kInvalidInput naming the text otherwise.
Result<StopMode> parse_stop_mode(std::string_view text);
std::string_view stop_mode_name(StopMode mode);

struct StopParams {
  StopMode mode = StopMode::kPercent;
  double trail_pct = 0.5;  // percent of the best price (mode percent, and atr before an ATR)
  double atr_mult = 3;     // ATR multiples (mode atr)
};

// Average true range of `bars` (oldest first) with Wilder smoothing:
//   TR_i  = max(high_i, close_{i-1}) - min(low_i, close_{i-1})   (close = close_filled)
//   ATR_p = mean of the first `period` TRs, then ATR_i = ATR_{i-1} + (TR_i - ATR_{i-1}) / period.
// A bar without trades (NaN high/low) counts with high = low = close_filled; bars before the first
// known close_filled are skipped. Returns nullopt when fewer than period + 1 usable bars exist
// (the first usable bar only provides the previous close) or when period < 1.
std::optional<double> wilder_atr(std::span<const Bar> bars, int period);

class TrailingStop {
 public:
  // A new stop for a position of `qty` shares entered at `entry_price`; the best price starts at
  // the entry price. kInvalidInput for qty 0, a non-finite or non-positive price, or bad params.
  static Result<TrailingStop> open(std::int64_t qty, double entry_price, StopParams params);
  // A stop resumed from saved state (stop:{sym}): `best_price` and `stop_price` as saved. A
  // saved best worse than the entry price is replaced by the entry price; a saved stop looser than
  // what the best price implies is tightened. Same errors as open(); a NaN stop is recomputed.
  static Result<TrailingStop> restore(std::int64_t qty, double entry_price, double best_price,
                                      double stop_price, StopParams params);

  // Mode atr: sets the current ATR (ignored unless finite and > 0). The stop tightens at once if
  // the new distance is smaller; it never loosens.
  void set_atr(double atr);

  // A new price: for a long the bid, for a short the ask (what an exit would trade at). Updates
  // the best price and the stop, and returns true exactly once: on the first price at or beyond
  // the stop. Non-finite or non-positive prices are ignored (false).
  bool on_price(double price);

  bool is_long() const { return long_; }
  bool triggered() const { return triggered_; }
  double entry_price() const { return entry_; }
  double best_price() const { return best_; }
  double stop_price() const { return stop_; }
  const StopParams& params() const { return params_; }
  std::optional<double> atr() const { return atr_; }
  // True in mode atr while no ATR is known (the percent distance is in use).
  bool using_fallback() const { return params_.mode == StopMode::kAtr && !atr_; }

 private:
  TrailingStop(bool is_long, double entry, StopParams params)
      : long_(is_long), entry_(entry), best_(entry), params_(params) {}
  double distance() const;
  void tighten();  // moves the stop toward best_ - distance (long) if that is tighter

  bool long_ = true;
  bool triggered_ = false;
  double entry_ = 0;
  double best_ = 0;
  double stop_ = kNaN;
  StopParams params_;
  std::optional<double> atr_;
};

}  // namespace harrier::risk
