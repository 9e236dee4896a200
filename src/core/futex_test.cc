#include "core/futex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace harrier {
namespace {

TEST(WakeWord, WaitTimesOutWithoutAWake) {
  WakeWord w;
  auto t0 = std::chrono::steady_clock::now();
  w.wait(w.snapshot(), 20 * kNsPerMs);
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, std::chrono::milliseconds(15));
}

TEST(WakeWord, WakeEndsTheWaitEarly) {
  WakeWord w;
  std::uint32_t seen = w.snapshot();
  std::thread waker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    w.wake();
  });
  auto t0 = std::chrono::steady_clock::now();
  w.wait(seen, 10 * kNsPerSec);  // would take 10 s without the wake
  auto waited = std::chrono::steady_clock::now() - t0;
  waker.join();
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_NE(w.snapshot(), seen);
}

TEST(WakeWord, AWakeBeforeTheWaitIsNotLost) {
  WakeWord w;
  std::uint32_t seen = w.snapshot();
  w.wake();  // the word moved on: wait returns at once
  auto t0 = std::chrono::steady_clock::now();
  w.wait(seen, 10 * kNsPerSec);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

}  // namespace
}  // namespace harrier
