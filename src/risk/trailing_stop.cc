#include "risk/trailing_stop.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace harrier::risk {

namespace {

bool good_price(double p) { return std::isfinite(p) && p > 0; }

Status check_params(const StopParams& p) {
  if (!(std::isfinite(p.trail_pct) && p.trail_pct > 0 && p.trail_pct < 100)) {
    return invalid_input("stops.trail_pct must be in (0, 100)");
  }
  if (!(std::isfinite(p.atr_mult) && p.atr_mult > 0)) {
    return invalid_input("stops.atr_mult must be > 0");
  }
  return ok();
}

}  // namespace

Result<StopMode> parse_stop_mode(std::string_view text) {
  if (text == "percent") return StopMode::kPercent;
  if (text == "atr") return StopMode::kAtr;
  return invalid_input("stop mode '" + std::string(text) + "' is not one of percent, atr");
}

std::string_view stop_mode_name(StopMode mode) {
  return mode == StopMode::kAtr ? "atr" : "percent";
}

std::optional<double> wilder_atr(std::span<const Bar> bars, int period) {
  if (period < 1) return std::nullopt;
  double prev_close = kNaN;
  double atr = 0;
  int trs = 0;
  for (const Bar& b : bars) {
    const double close = b.close_filled;
    if (!std::isfinite(close)) continue;  // before the first trade: nothing known yet
    if (!std::isfinite(prev_close)) {
      prev_close = close;
      continue;
    }
    const double high = std::isfinite(b.high) ? b.high : close;
    const double low = std::isfinite(b.low) ? b.low : close;
    const double tr = std::max(high, prev_close) - std::min(low, prev_close);
    prev_close = close;
    ++trs;
    if (trs <= period) {
      atr += tr;
      if (trs == period) atr /= period;
    } else {
      atr += (tr - atr) / period;
    }
  }
  if (trs < period) return std::nullopt;
  return atr;
}

Result<TrailingStop> TrailingStop::open(std::int64_t qty, double entry_price, StopParams params) {
  if (qty == 0) return invalid_input("trailing stop: position qty is 0");
  if (!good_price(entry_price)) {
    return invalid_input("trailing stop: entry price is not a finite positive price");
  }
  HARRIER_TRY(check_params(params));
  TrailingStop s(qty > 0, entry_price, params);
  s.tighten();
  return s;
}

Result<TrailingStop> TrailingStop::restore(std::int64_t qty, double entry_price, double best_price,
                                           double stop_price, StopParams params) {
  HARRIER_ASSIGN_OR_RETURN(TrailingStop s, open(qty, entry_price, params));
  if (good_price(best_price)) {
    s.best_ = s.long_ ? std::max(best_price, entry_price) : std::min(best_price, entry_price);
  }
  s.stop_ = kNaN;
  if (good_price(stop_price)) s.stop_ = stop_price;
  s.tighten();
  return s;
}

double TrailingStop::distance() const {
  if (params_.mode == StopMode::kAtr && atr_) return params_.atr_mult * *atr_;
  return best_ * params_.trail_pct / 100.0;
}

void TrailingStop::tighten() {
  if (triggered_) return;
  const double candidate = long_ ? best_ - distance() : best_ + distance();
  if (std::isnan(stop_)) {
    stop_ = candidate;
  } else {
    stop_ = long_ ? std::max(stop_, candidate) : std::min(stop_, candidate);
  }
}

void TrailingStop::set_atr(double atr) {
  if (!(std::isfinite(atr) && atr > 0)) return;
  atr_ = atr;
  tighten();
}

bool TrailingStop::on_price(double price) {
  if (triggered_ || !good_price(price)) return false;
  if (long_ ? price > best_ : price < best_) {
    best_ = price;
    tighten();
  }
  if (long_ ? price <= stop_ : price >= stop_) {
    triggered_ = true;
    return true;
  }
  return false;
}

}  // namespace harrier::risk
