// The market clock of P1: the time, in exchange ns, that the bar thread seals against.
// Live-like feeds (a paced replay, the simulator at speed 1) map the monotonic wall clock onto
// market time through an anchor set by the feed thread when it releases its first tick:
//   market_now = anchor_tick_ns + (mono_now - anchor_mono_ns) * speed.
// An unpaced replay (speed max) has no anchor: market time is the newest tick processed, so a
// replay seals exactly as `harrier bars` does. Written by the feed thread (anchor) and read by
// the bar thread; lock-free.
#pragma once

#include <atomic>

#include "core/clock.h"
#include "core/types.h"

namespace harrier::roles::ingest {

class MarketClock {
 public:
  // speed 0 = unpaced.
  MarketClock(const Clock& clock, double speed) : clock_(clock), speed_(speed) {}

  bool paced() const { return speed_ > 0; }
  double speed() const { return speed_; }

  // Feed thread, once, when the first tick is released.
  void anchor(TimestampNs tick_ns) {
    anchor_mono_ns_.store(clock_.mono_ns(), std::memory_order_relaxed);
    anchor_tick_ns_.store(tick_ns, std::memory_order_release);
  }
  bool anchored() const { return anchor_tick_ns_.load(std::memory_order_acquire) != 0; }

  // Market time now; 0 before the anchor. Paced feeds only.
  TimestampNs now() const {
    TimestampNs tick = anchor_tick_ns_.load(std::memory_order_acquire);
    if (tick == 0) return 0;
    auto elapsed =
        static_cast<double>(clock_.mono_ns() - anchor_mono_ns_.load(std::memory_order_relaxed));
    return tick + static_cast<TimestampNs>(elapsed * speed_);
  }

 private:
  const Clock& clock_;
  double speed_;
  std::atomic<std::int64_t> anchor_mono_ns_{0};
  std::atomic<TimestampNs> anchor_tick_ns_{0};
};

}  // namespace harrier::roles::ingest
