// A log-linear latency histogram for health telemetry (Redis PING round trips, stream wake
// latency). Values are ns. Buckets: each power of two from 2^10 ns (~1 us) up is split into
// 8 linear sub-buckets, so any recorded value is reported within 12.5%; values under 1 us share
// the first bucket and values over 2^40 ns (~18 min) the last. Quantiles return the upper edge
// of the bucket holding the rank (never under-reports); max is exact. Not thread-safe: owned by
// the thread that records; copy it to publish a snapshot.
#pragma once

#include <array>
#include <cstdint>

#include "core/types.h"

namespace harrier::bus {

class LatencyHistogram {
 public:
  static constexpr int kMinLog2 = 10;
  static constexpr int kMaxLog2 = 40;
  static constexpr int kSubBuckets = 8;
  static constexpr int kBuckets = (kMaxLog2 - kMinLog2) * kSubBuckets + 2;

  void record(DurationNs ns);
  void clear() { *this = LatencyHistogram(); }

  std::uint64_t count() const { return count_; }
  DurationNs max() const { return max_; }
  // q in [0, 1]; 0 when empty.
  DurationNs quantile(double q) const;
  DurationNs p50() const { return quantile(0.50); }
  DurationNs p99() const { return quantile(0.99); }

  // Bucket index of a value and the upper edge of a bucket (exposed for tests).
  static int bucket_of(DurationNs ns);
  static DurationNs upper_edge(int bucket);

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  DurationNs max_ = 0;
};

}  // namespace harrier::bus
