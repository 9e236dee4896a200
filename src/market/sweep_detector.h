// Detects tape sweeps (ARCHITECTURE §3): consecutive trades on one side that consume two or
// more price levels within a window (default 50 ms). A buy sweep walks up (each print at or
// above the previous one), a sell sweep walks down. A run breaks on a side change, a price
// moving against the run, or a print past the window from the run's first print. One sweep is
// reported per run, when its second level is reached; later levels of the same run extend it
// silently (levels and volume keep counting in current()).
// Owned by the bar thread; one detector per symbol. Times are exchange ns.
#pragma once

#include <cstdint>
#include <optional>

#include "core/types.h"

namespace harrier {

struct SweepEvent {
  Side side = Side::kBuy;
  std::int64_t levels = 0;  // distinct prices consumed so far
  std::int64_t volume = 0;  // shares in the run so far
  TimestampNs ts_ns = 0;    // time of the print that completed the sweep
};

class SweepDetector {
 public:
  explicit SweepDetector(DurationNs window_ns = 50 * kNsPerMs) : window_ns_(window_ns) {}

  // Feeds one classified trade; returns an event when this print makes the run a sweep.
  // Inline: the bar thread calls it for every trade.
  std::optional<SweepEvent> on_trade(TimestampNs ts, double price, std::int64_t size, Side side) {
    const bool continues = active_ && side == side_ && ts - start_ns_ <= window_ns_ &&
                           (side == Side::kBuy ? price >= last_price_ : price <= last_price_);
    if (!continues) {
      active_ = true;
      reported_ = false;
      side_ = side;
      start_ns_ = ts;
      last_price_ = price;
      levels_ = 1;
      volume_ = size;
      return std::nullopt;
    }
    volume_ += size;
    if (price != last_price_) {
      ++levels_;
      last_price_ = price;
    }
    if (levels_ >= 2 && !reported_) {
      reported_ = true;
      return SweepEvent{side_, levels_, volume_, ts};
    }
    return std::nullopt;
  }

 private:
  DurationNs window_ns_;
  bool active_ = false;
  bool reported_ = false;
  Side side_ = Side::kBuy;
  TimestampNs start_ns_ = 0;
  double last_price_ = 0;
  std::int64_t levels_ = 0;
  std::int64_t volume_ = 0;
};

}  // namespace harrier
