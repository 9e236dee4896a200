// Bounded single-producer single-consumer queue (after rigtorp/SPSCQueue). One thread calls
// try_push, one other thread calls front/pop. Capacity is fixed at construction; storage is
// allocated once. try_push returns false when full (the producer counts a drop; it never
// blocks). T must be nothrow move-constructible.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "core/check.h"

namespace harrier {

inline constexpr std::size_t kCacheLine = 64;

template <typename T>
class SpscQueue {
  static_assert(std::is_nothrow_move_constructible_v<T>);

 public:
  // REQUIRES: capacity >= 1.
  explicit SpscQueue(std::size_t capacity)
      : cap_(capacity + 1), slots_(std::allocator<T>().allocate(cap_)) {
    HARRIER_CHECK(capacity >= 1, "SpscQueue capacity must be at least 1");
  }
  ~SpscQueue() {
    while (front()) pop();
    std::allocator<T>().deallocate(slots_, cap_);
  }
  SpscQueue(const SpscQueue&) = delete;
  SpscQueue& operator=(const SpscQueue&) = delete;

  template <typename... Args>
  bool try_emplace(Args&&... args) {
    const std::size_t w = write_.load(std::memory_order_relaxed);
    std::size_t next = w + 1 == cap_ ? 0 : w + 1;
    if (next == read_cache_) {
      read_cache_ = read_.load(std::memory_order_acquire);
      if (next == read_cache_) return false;
    }
    new (&slots_[w]) T(std::forward<Args>(args)...);
    write_.store(next, std::memory_order_release);
    return true;
  }
  bool try_push(T v) { return try_emplace(std::move(v)); }

  // Consumer: the oldest element, or nullptr when empty.
  T* front() {
    const std::size_t r = read_.load(std::memory_order_relaxed);
    if (r == write_cache_) {
      write_cache_ = write_.load(std::memory_order_acquire);
      if (r == write_cache_) return nullptr;
    }
    return &slots_[r];
  }
  // Consumer. REQUIRES: front() != nullptr.
  void pop() {
    const std::size_t r = read_.load(std::memory_order_relaxed);
    slots_[r].~T();
    read_.store(r + 1 == cap_ ? 0 : r + 1, std::memory_order_release);
  }

  // Approximate; either thread.
  std::size_t size() const {
    std::ptrdiff_t d = static_cast<std::ptrdiff_t>(write_.load(std::memory_order_acquire)) -
                       static_cast<std::ptrdiff_t>(read_.load(std::memory_order_acquire));
    return static_cast<std::size_t>(d < 0 ? d + static_cast<std::ptrdiff_t>(cap_) : d);
  }
  std::size_t capacity() const { return cap_ - 1; }

 private:
  const std::size_t cap_;
  T* const slots_;
  alignas(kCacheLine) std::atomic<std::size_t> write_{0};
  alignas(kCacheLine) std::size_t read_cache_ = 0;  // producer's copy of read_
  alignas(kCacheLine) std::atomic<std::size_t> read_{0};
  alignas(kCacheLine) std::size_t write_cache_ = 0;  // consumer's copy of write_
};

}  // namespace harrier
