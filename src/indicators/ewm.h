// Exponentially weighted mean, updated in O(1) per value and equal to pandas
// `Series.ewm(alpha=a, adjust=False).mean()` (ignore_na=False, min_periods=0) over the whole
// history, NaN inputs included: before the first non-NaN input the mean is NaN; a NaN input
// leaves the mean unchanged but decays the old weight, exactly as pandas does
// (pandas/_libs/window/aggregations.pyx, ewm). ARCHITECTURE §3 defines every EMA this way.
// Not thread-safe: one per (symbol, interval, column), owned by the bar thread.
#pragma once

#include <cmath>

namespace harrier {

class Ewm {
 public:
  explicit Ewm(double alpha) : alpha_(alpha), old_factor_(1.0 - alpha) {}
  static Ewm span(int n) { return Ewm(2.0 / (n + 1.0)); }

  // Feeds one value; returns the mean after it.
  double update(double x) {
    const bool observed = !std::isnan(x);
    if (!started_) {
      if (observed) {
        mean_ = x;
        started_ = true;
      }
      return mean_;
    }
    old_weight_ *= old_factor_;
    if (observed) {
      if (mean_ != x) {
        mean_ = (old_weight_ * mean_ + alpha_ * x) / (old_weight_ + alpha_);
      }
      old_weight_ = 1.0;
    }
    return mean_;
  }
  double value() const { return mean_; }

 private:
  double alpha_;
  double old_factor_;
  double mean_ = NAN;
  double old_weight_ = 1.0;
  bool started_ = false;
};

}  // namespace harrier
