#include "risk/watchdog.h"

#include <gtest/gtest.h>

namespace harrier::risk {
namespace {

TEST(DiffPositions, FindsRogueAndSizeMismatches) {
  PositionMap broker = {{"AAPL", 50}, {"QQQ", 10}, {"SPY", 100}, {"ZERO", 0}};
  PositionMap engine = {{"MSFT", -20}, {"QQQ", 10}, {"SPY", 60}};
  auto d = diff_positions(broker, engine);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0], (Mismatch{"AAPL", MismatchKind::kRoguePosition, 50, 0}));
  EXPECT_EQ(d[1], (Mismatch{"MSFT", MismatchKind::kSizeMismatch, 0, -20}));
  EXPECT_EQ(d[2], (Mismatch{"SPY", MismatchKind::kSizeMismatch, 100, 60}));
  EXPECT_EQ(mismatch_kind_name(d[0].kind), "rogue_position");
  EXPECT_EQ(mismatch_kind_name(d[1].kind), "size_mismatch");
  EXPECT_EQ(describe(d[0]), "broker holds 50 AAPL, engine holds none");
  EXPECT_TRUE(diff_positions(engine, engine).empty());
  EXPECT_TRUE(diff_positions({}, {}).empty());
}

TEST(Watchdog, RaisesOnceAfterConfirmation) {
  Watchdog w(2);
  PositionMap broker = {{"SPY", 100}};
  PositionMap engine;
  EXPECT_TRUE(w.check(broker, engine).empty());  // seen once: could be P2 mid-update
  EXPECT_EQ(w.open_mismatches(), 1u);
  auto r = w.check(broker, engine);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, MismatchKind::kRoguePosition);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(w.check(broker, engine).empty());  // not every cycle
}

TEST(Watchdog, TransientMismatchIsNotRaised) {
  Watchdog w(2);
  EXPECT_TRUE(w.check({{"SPY", 100}}, {}).empty());
  EXPECT_TRUE(w.check({{"SPY", 100}}, {{"SPY", 100}}).empty());  // P2 caught up
  EXPECT_EQ(w.open_mismatches(), 0u);
  EXPECT_TRUE(w.check({{"SPY", 100}}, {}).empty());  // the count starts again
}

TEST(Watchdog, AChangedMismatchIsANewOneAndACuredOneCanComeBack) {
  Watchdog w(1);
  ASSERT_EQ(w.check({{"SPY", 100}}, {{"SPY", 50}}).size(), 1u);
  EXPECT_TRUE(w.check({{"SPY", 100}}, {{"SPY", 50}}).empty());
  auto changed = w.check({{"SPY", 200}}, {{"SPY", 50}});
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].broker_qty, 200);
  EXPECT_TRUE(w.check({{"SPY", 50}}, {{"SPY", 50}}).empty());
  EXPECT_EQ(w.check({{"SPY", 200}}, {{"SPY", 50}}).size(), 1u);
}

}  // namespace
}  // namespace harrier::risk
