#include "core/spsc_queue.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

namespace harrier {
namespace {

TEST(SpscQueue, FullAndEmpty) {
  SpscQueue<int> q(2);
  EXPECT_EQ(q.front(), nullptr);
  EXPECT_TRUE(q.try_push(1));
  EXPECT_TRUE(q.try_push(2));
  EXPECT_FALSE(q.try_push(3));  // full: the producer must count a drop, never block
  EXPECT_EQ(q.size(), 2u);
  ASSERT_NE(q.front(), nullptr);
  EXPECT_EQ(*q.front(), 1);
  q.pop();
  EXPECT_TRUE(q.try_push(3));
  EXPECT_EQ(*q.front(), 2);
  q.pop();
  EXPECT_EQ(*q.front(), 3);
  q.pop();
  EXPECT_EQ(q.front(), nullptr);
}

TEST(SpscQueue, DestroysRemainingElements) {
  auto tracker = std::make_shared<int>(0);
  {
    SpscQueue<std::shared_ptr<int>> q(4);
    ASSERT_TRUE(q.try_push(tracker));
    ASSERT_TRUE(q.try_push(tracker));
    EXPECT_EQ(tracker.use_count(), 3);
  }
  EXPECT_EQ(tracker.use_count(), 1);
}

TEST(SpscQueue, TwoThreadsKeepOrder) {
  constexpr int kN = 200000;
  SpscQueue<int> q(64);
  std::thread producer([&] {
    for (int i = 0; i < kN;) {
      if (q.try_push(i)) ++i;
    }
  });
  int expected = 0;
  while (expected < kN) {
    if (int* v = q.front()) {
      ASSERT_EQ(*v, expected);
      q.pop();
      ++expected;
    }
  }
  producer.join();
  EXPECT_EQ(q.front(), nullptr);
}

}  // namespace
}  // namespace harrier
