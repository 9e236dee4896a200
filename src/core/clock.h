// Time goes through Clock so that sealing, grace periods, stops and heartbeats are
// deterministic in tests (leveldb Env). SystemClock reads the OS; ManualClock is set by the
// test or by a replay. now_ns() is wall time (ns since the UTC epoch); mono_ns() is a
// monotonic reading for durations. Thread-safety: SystemClock is thread-safe; ManualClock
// may be read from any thread but set from one.
#pragma once

#include <atomic>
#include <chrono>

#include "core/types.h"

namespace harrier {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimestampNs now_ns() const = 0;
  virtual std::int64_t mono_ns() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimestampNs now_ns() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::int64_t mono_ns() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimestampNs start = 0) : now_(start) {}
  TimestampNs now_ns() const override { return now_.load(std::memory_order_acquire); }
  std::int64_t mono_ns() const override { return now_ns(); }
  void set(TimestampNs t) { now_.store(t, std::memory_order_release); }
  void advance(DurationNs d) { now_.fetch_add(d, std::memory_order_acq_rel); }

 private:
  std::atomic<TimestampNs> now_;
};

}  // namespace harrier
