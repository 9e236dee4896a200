#include "bus/backoff.h"

#include <algorithm>

namespace harrier::bus {

Backoff::Backoff(BackoffPolicy policy) : policy_(policy), rng_(policy.seed) {
  policy_.initial_ns = std::max<DurationNs>(policy_.initial_ns, 1);
  policy_.max_ns = std::max(policy_.max_ns, policy_.initial_ns);
  policy_.jitter = std::clamp(policy_.jitter, 0.0, 1.0);
}

DurationNs Backoff::next_delay() {
  DurationNs cap = policy_.initial_ns;
  for (int i = 0; i < failures_ && cap < policy_.max_ns; ++i) cap *= 2;
  cap = std::min(cap, policy_.max_ns);
  if (failures_ < 64) ++failures_;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  double factor = 1.0 - policy_.jitter * unit(rng_);
  auto d = static_cast<DurationNs>(static_cast<double>(cap) * factor);
  return std::max<DurationNs>(d, 1);
}

}  // namespace harrier::bus
