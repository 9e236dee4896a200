// Computes the indicator columns of a sealed bar (ARCHITECTURE §3), incrementally: O(1) per bar
// per column, no window recompute. One owner: every indicator column of every bar is written
// here and nowhere else (no consumer recomputes).
//   ema9, ema21            EMA span N of close_filled (pandas ewm(span=N, adjust=False))
//   macd, macd_signal,     EMA12 - EMA26 of close_filled; EMA9 of macd; macd - signal
//   macd_hist
//   rsi14                  Wilder: ewm(alpha=1/14, adjust=False) of the clipped gains and
//                          losses of close_filled's first difference; first bar NaN
//   ema_* (flow EMAs)      EMA span 9 of dom_hit_rate, directional_pressure, delta_price, delta,
//                          book_imbalance, buy_volume, sell_volume, volume
// Threading: owned by the bar thread; not thread-safe.
#pragma once

#include <array>
#include <vector>

#include "core/interval.h"
#include "core/types.h"
#include "indicators/ewm.h"
#include "market/bar.h"

namespace harrier {

// Indicator state of one (symbol, interval) series.
class SeriesIndicators {
 public:
  SeriesIndicators();
  // Fills the indicator columns of `bar` from its close_filled and flow columns, and advances
  // the state. Bars must come in order.
  void apply(Bar& bar);

 private:
  Ewm ema9_, ema21_, ema12_, ema26_, signal_;
  Ewm avg_gain_, avg_loss_;
  double prev_close_ = kNaN;
  std::array<Ewm, 8> flow_;
};

class Enricher {
 public:
  void apply(SymbolId symbol, Interval iv, Bar& bar);

 private:
  std::vector<std::array<SeriesIndicators, kIntervalCount>> series_;
};

}  // namespace harrier
