// Per-role counters, gauges and latency histograms (STYLE B6). Role threads record with relaxed
// atomics (no locks on the hot path); the heartbeat thread reads them and publishes a JSON
// snapshot in heartbeat:{role} every second, which P3 turns into /metrics and `harrier status`
// prints. Registration happens at start-up, before threads start (not thread-safe); recording
// and snapshots are thread-safe. Histogram values are ns, reported in microseconds.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "bus/latency_histogram.h"
#include "core/types.h"

namespace harrier {

class Counter {
 public:
  void add(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  // Only from the counter's one writer thread: a plain load and store, no locked instruction
  // (P1's per-tick counters). Readers still see a value that was true at some point.
  void add_owned(std::uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void set(std::uint64_t n) { v_.store(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

// Same buckets as bus::LatencyHistogram (log-linear, within 12.5%), with atomic counts.
class Histogram {
 public:
  void record(DurationNs ns);
  // Only from the histogram's one writer thread: plain loads and stores instead of three locked
  // read-modify-writes (P1 records every tick's feed lag). Readers may see the count and a
  // bucket of the same value a moment apart, as with record().
  void record_owned(DurationNs ns);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  DurationNs max() const { return max_.load(std::memory_order_relaxed); }
  double mean_ns() const;
  // Upper edge of the bucket holding quantile q; 0 when empty.
  DurationNs quantile(double q) const;

 private:
  std::array<std::atomic<std::uint64_t>, bus::LatencyHistogram::kBuckets> counts_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::int64_t> sum_{0};
  std::atomic<DurationNs> max_{0};
};

class Metrics {
 public:
  // REQUIRES: called before other threads use the registry; names are unique snake_case.
  Counter& counter(std::string name, std::string help);
  Gauge& gauge(std::string name, std::string help);
  Histogram& histogram(std::string name, std::string help);

  // {"counters":{...},"gauges":{...},"histograms":{"x_us":{"p50":..,"p99":..,"max":..,
  //  "mean":..,"n":..}}} with histogram values in microseconds.
  std::string to_json() const;

 private:
  template <typename T>
  struct Named {
    Named(std::string n, std::string h) : name(std::move(n)), help(std::move(h)) {}
    std::string name, help;
    T metric;
  };
  std::deque<Named<Counter>> counters_;  // deque: stable addresses as metrics are added
  std::deque<Named<Gauge>> gauges_;
  std::deque<Named<Histogram>> histograms_;
};

// Resident set size of this process in bytes (from /proc/self/statm); 0 if unknown.
std::uint64_t resident_bytes();

}  // namespace harrier
