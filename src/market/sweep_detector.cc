#include "market/sweep_detector.h"

namespace harrier {

std::optional<SweepEvent> SweepDetector::on_trade(TimestampNs ts, double price, std::int64_t size,
                                                  Side side) {
  bool continues = active_ && side == side_ && ts - start_ns_ <= window_ns_ &&
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

}  // namespace harrier
