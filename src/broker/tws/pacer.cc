#include "broker/tws/pacer.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace harrier::tws {

Pacer::Pacer(double rate_per_s, int burst)
    : rate_(rate_per_s), burst_(burst), tokens_(static_cast<double>(burst)) {
  HARRIER_CHECK(rate_per_s > 0 && burst >= 1, "pacer needs a positive rate and burst");
}

void Pacer::refill(std::int64_t now_ns) {
  if (!started_) {
    started_ = true;
    last_ns_ = now_ns;
    return;
  }
  if (now_ns <= last_ns_) return;
  double add = static_cast<double>(now_ns - last_ns_) * rate_ / static_cast<double>(kNsPerSec);
  tokens_ = std::min(static_cast<double>(burst_), tokens_ + add);
  last_ns_ = now_ns;
}

bool Pacer::try_take(std::int64_t now_ns) {
  refill(now_ns);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    ++taken_;
    return true;
  }
  ++delayed_;
  return false;
}

DurationNs Pacer::wait_ns(std::int64_t now_ns) {
  refill(now_ns);
  if (tokens_ >= 1.0) return 0;
  double need = (1.0 - tokens_) * static_cast<double>(kNsPerSec) / rate_;
  return static_cast<DurationNs>(std::ceil(need));
}

int pacer_burst_for(double rate_per_s) {
  int r = static_cast<int>(std::floor(rate_per_s));
  return std::max(1, kTwsMaxMessagesPerSecond - r);
}

}  // namespace harrier::tws
