// ema_rsi_confluence: the example strategy shipped with Harrier (docs/strategy.md).
// IT IS AN EXAMPLE OF THE STRATEGY INTERFACE, NOT TRADING ADVICE: it has not been shown to make
// money and must not be run with real money as it is.
//
// On each sealed bar of `strategy.trigger` it enters long `strategy.qty` shares with a market
// order when every gate passes, in this order (the first failing gate is the skip reason):
//   halted       the symbol is halted after an unknown order state (fail closed)
//   not_flat     a position is open            open_order  an order is still working
//   superseded   the bundle already holds a newer trigger bar (a newer event will evaluate it)
//   no_bars_<iv> an interval of `strategy.intervals` (or the trigger) has no bars
//   ema_<iv>     on an interval of `strategy.intervals`, the last bar's ema9 <= ema21 (or NaN);
//                not checked when `strategy.ema_uptrend` is false
//   rsi          the trigger bar's rsi14 is outside [rsi_min, rsi_max] (or NaN)
//   no_quote / bad_quote / stale_quote (age = trigger bar end - quote ts > max_quote_age_ms)
//   spread       (ask - bid) / mid > max_spread_bps / 10^4
// Stateless between calls; P2's main thread only.
#pragma once

#include <vector>

#include "strategy/strategy.h"

namespace harrier::strategy {

struct EmaRsiParams {
  std::int64_t qty = 100;
  std::vector<Interval> intervals = {Interval::k1m, Interval::k5m};
  Interval trigger = Interval::k1m;
  double rsi_min = 50, rsi_max = 70;
  std::int64_t max_quote_age_ms = 2000;
  double max_spread_bps = 10;
  bool ema_uptrend = true;  // false: no ema_<iv> gate
};

class EmaRsiConfluence final : public Strategy {
 public:
  static constexpr std::string_view kName = "ema_rsi_confluence";

  explicit EmaRsiConfluence(EmaRsiParams p) : p_(std::move(p)) {}
  // Parameters from cfg.strategy; kInvalidInput naming the key when one is unusable.
  static Result<EmaRsiParams> params_from(const Config& cfg);

  std::string_view name() const override { return kName; }
  Interval trigger() const override { return p_.trigger; }
  // The trigger (RSI, its bar) and the confluence intervals.
  std::vector<Interval> reads() const override;
  Decision evaluate(const Context& ctx) override;

 private:
  EmaRsiParams p_;
};

}  // namespace harrier::strategy
