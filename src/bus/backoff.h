// Exponential backoff with jitter for reconnecting to Redis. Delay n (n = failures so far,
// starting at 0) is min(max, initial * 2^n) scaled by a factor drawn uniformly from
// [1 - jitter, 1], so many clients restarted together spread out instead of retrying in step.
// The random source is a seeded PRNG, so tests get the same delays every run. Not thread-safe:
// one per connection.
#pragma once

#include <cstdint>
#include <random>

#include "core/types.h"

namespace harrier::bus {

struct BackoffPolicy {
  DurationNs initial_ns = 50 * kNsPerMs;
  DurationNs max_ns = 5 * kNsPerSec;
  double jitter = 0.5;  // 0 = none, 1 = anywhere in [0, delay]
  std::uint64_t seed = 0x5eed;
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy);

  // The delay to wait after one more failure; advances the failure count.
  DurationNs next_delay();
  // After a success: the next failure starts again from `initial_ns`.
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }
  const BackoffPolicy& policy() const { return policy_; }

 private:
  BackoffPolicy policy_;
  int failures_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace harrier::bus
