#include "roles/common/metrics.h"

#include <unistd.h>

#include <cstdio>

#include "roles/common/json.h"

namespace harrier {

void Histogram::record(DurationNs ns) {
  if (ns < 0) ns = 0;
  counts_[static_cast<std::size_t>(bus::LatencyHistogram::bucket_of(ns))].fetch_add(
      1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(ns, std::memory_order_relaxed);
  DurationNs cur = max_.load(std::memory_order_relaxed);
  while (ns > cur && !max_.compare_exchange_weak(cur, ns, std::memory_order_relaxed)) {
  }
}

void Histogram::record_owned(DurationNs ns) {
  if (ns < 0) ns = 0;
  auto bump = [](auto& a, auto by) {
    a.store(a.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  };
  bump(counts_[static_cast<std::size_t>(bus::LatencyHistogram::bucket_of(ns))], 1u);
  bump(count_, 1u);
  bump(sum_, ns);
  if (ns > max_.load(std::memory_order_relaxed)) max_.store(ns, std::memory_order_relaxed);
}

double Histogram::mean_ns() const {
  std::uint64_t n = count();
  return n == 0
             ? 0.0
             : static_cast<double>(sum_.load(std::memory_order_relaxed)) / static_cast<double>(n);
}

DurationNs Histogram::quantile(double q) const {
  std::array<std::uint64_t, bus::LatencyHistogram::kBuckets> snap{};
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < snap.size(); ++i) {
    snap[i] = counts_[i].load(std::memory_order_relaxed);
    total += snap[i];
  }
  if (total == 0) return 0;
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total));
  if (rank >= total) rank = total - 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < snap.size(); ++i) {
    seen += snap[i];
    if (seen > rank) {
      DurationNs edge = bus::LatencyHistogram::upper_edge(static_cast<int>(i));
      DurationNs mx = max();
      return edge < mx || mx == 0 ? edge : mx;
    }
  }
  return max();
}

Counter& Metrics::counter(std::string name, std::string help) {
  counters_.emplace_back(std::move(name), std::move(help));
  return counters_.back().metric;
}
Gauge& Metrics::gauge(std::string name, std::string help) {
  gauges_.emplace_back(std::move(name), std::move(help));
  return gauges_.back().metric;
}
Histogram& Metrics::histogram(std::string name, std::string help) {
  histograms_.emplace_back(std::move(name), std::move(help));
  return histograms_.back().metric;
}

std::string Metrics::to_json() const {
  json::Writer w;
  w.begin_object("counters");
  for (const auto& c : counters_) w.field(c.name, c.metric.value());
  w.end_object();
  w.begin_object("gauges");
  for (const auto& g : gauges_) w.field(g.name, g.metric.value());
  w.end_object();
  w.begin_object("histograms");
  for (const auto& h : histograms_) {
    w.begin_object(h.name);
    w.field("p50", static_cast<double>(h.metric.quantile(0.5)) / 1e3);
    w.field("p99", static_cast<double>(h.metric.quantile(0.99)) / 1e3);
    w.field("max", static_cast<double>(h.metric.max()) / 1e3);
    w.field("mean", h.metric.mean_ns() / 1e3);
    w.field("n", h.metric.count());
    w.end_object();
  }
  w.end_object();
  return w.finish();
}

std::uint64_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace harrier
