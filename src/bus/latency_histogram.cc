#include "bus/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace harrier::bus {

int LatencyHistogram::bucket_of(DurationNs ns) {
  if (ns < (DurationNs{1} << kMinLog2)) return 0;
  auto u = static_cast<std::uint64_t>(ns);
  int log2 = 63 - std::countl_zero(u);
  if (log2 >= kMaxLog2) return kBuckets - 1;
  // The 3 bits under the leading one pick the linear sub-bucket.
  int sub = static_cast<int>((u >> (log2 - 3)) & (kSubBuckets - 1));
  return 1 + (log2 - kMinLog2) * kSubBuckets + sub;
}

DurationNs LatencyHistogram::upper_edge(int bucket) {
  if (bucket <= 0) return DurationNs{1} << kMinLog2;
  if (bucket >= kBuckets - 1) return DurationNs{1} << kMaxLog2;
  int log2 = kMinLog2 + (bucket - 1) / kSubBuckets;
  int sub = (bucket - 1) % kSubBuckets;
  DurationNs base = DurationNs{1} << log2;
  return base + (base / kSubBuckets) * (sub + 1);
}

void LatencyHistogram::record(DurationNs ns) {
  ns = std::max<DurationNs>(ns, 0);
  ++counts_[static_cast<std::size_t>(bucket_of(ns))];
  ++count_;
  max_ = std::max(max_, ns);
}

DurationNs LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += counts_[static_cast<std::size_t>(b)];
    if (seen >= rank) return std::min(upper_edge(b), max_);
  }
  return max_;
}

}  // namespace harrier::bus
