// A wake-up word between two threads (Linux futex): the waiter sleeps until the word changes
// or a timeout passes, the waker bumps the word and wakes it. Used where a thread must sleep
// when idle yet wake within microseconds of new work (P1's bar thread waiting for ticks), and
// must also wake on a deadline (bars sealed by the clock). Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/types.h"

namespace harrier {

class WakeWord {
 public:
  // The value to pass to wait(): read it, re-check for work, then wait.
  std::uint32_t snapshot() const { return word_.load(std::memory_order_acquire); }
  // Sleeps while the word equals `seen`, at most timeout_ns (spurious wake-ups possible).
  void wait(std::uint32_t seen, DurationNs timeout_ns);
  // Bumps the word; wakes the waiter only if one is asleep (no syscall otherwise).
  void wake();

 private:
  std::atomic<std::uint32_t> word_{0};
  std::atomic<std::uint32_t> sleepers_{0};
};

// Sets this thread's timer slack to 1 ns so short sleeps end on time (the default 50 us slack
// would dominate a latency budget of tens of microseconds).
void set_tight_timer_slack();

// Puts the calling thread under SCHED_FIFO at `priority` (1-99). Returns 0, or the errno of the
// refusal (EPERM without CAP_SYS_NICE or an RLIMIT_RTPRIO at least that high).
int set_sched_fifo(int priority);

}  // namespace harrier
