// The single pacer in front of the TWS socket writer: a token bucket that every outgoing
// message (requests, orders, cancels, the watchdog's reqCurrentTime) passes through, because
// TWS counts all message types together and drops a client that keeps above 50 per second
// (reference §6). Tokens refill at `rate_per_s` up to `burst`; a message takes one.
// In any window of one second at most burst + rate_per_s messages leave, so the connection
// keeps burst + rate <= 50 (defaults 45/s and a burst of 5).
// Time is the injected Clock's mono_ns, so tests run it on a ManualClock.
// Owned by the connection's thread; not thread-safe.
#pragma once

#include <cstdint>

#include "core/types.h"

namespace harrier::tws {

// TWS's documented limit on client messages per second, all types combined.
inline constexpr int kTwsMaxMessagesPerSecond = 50;

class Pacer {
 public:
  // REQUIRES: rate_per_s > 0, burst >= 1. Starts full.
  Pacer(double rate_per_s, int burst);

  // Takes one token at monotonic time `now_ns` if there is one.
  bool try_take(std::int64_t now_ns);
  // ns from `now_ns` until a token is available (0 when one is).
  DurationNs wait_ns(std::int64_t now_ns);

  double rate_per_s() const { return rate_; }
  int burst() const { return burst_; }
  std::uint64_t taken() const { return taken_; }
  std::uint64_t delayed() const { return delayed_; }  // try_take calls that found no token

 private:
  void refill(std::int64_t now_ns);

  double rate_;
  int burst_;
  double tokens_;
  std::int64_t last_ns_ = 0;
  bool started_ = false;
  std::uint64_t taken_ = 0;
  std::uint64_t delayed_ = 0;
};

// The burst that keeps rate + burst within TWS's 50/s: max(1, 50 - floor(rate)).
int pacer_burst_for(double rate_per_s);

}  // namespace harrier::tws
