// Client order id derivation: deterministic, the documented spelling, shortened to fit 64
// bytes, and always a valid key part.
#include "roles/execute/order_id.h"

#include <gtest/gtest.h>

#include "bus/keys.h"

namespace harrier::roles::execute {
namespace {

constexpr TimestampNs kBar = 1381152600LL * kNsPerSec;

TEST(OrderId, EntryIdSpelling) {
  EXPECT_EQ(entry_order_id("ema_rsi_confluence", "SPY", Side::kBuy, Interval::k1m, kBar),
            "ema_rsi_confluence-SPY-buy-1m-1381152600");
  // Sub-second remainders are dropped (bars of 1s and up start on whole seconds anyway).
  EXPECT_EQ(entry_order_id("s", "QQQ", Side::kSell, Interval::k5s, kBar + 999'999'999),
            "s-QQQ-sell-5s-1381152600");
}

TEST(OrderId, SameBarSameIdOtherBarOtherId) {
  auto a = entry_order_id("ema_rsi_confluence", "SPY", Side::kBuy, Interval::k1m, kBar);
  auto b = entry_order_id("ema_rsi_confluence", "SPY", Side::kBuy, Interval::k1m, kBar);
  auto c =
      entry_order_id("ema_rsi_confluence", "SPY", Side::kBuy, Interval::k1m, kBar + 60 * kNsPerSec);
  auto d = entry_order_id("ema_rsi_confluence", "SPY", Side::kBuy, Interval::k5m, kBar);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
}

TEST(OrderId, LongNamesAreShortenedToInitials) {
  EXPECT_EQ(initials("ema_rsi_confluence"), "erc");
  EXPECT_EQ(initials("mean-reversion_v2"), "mrv");
  EXPECT_EQ(initials("__"), "s");
  const std::string sym = "BRK.B";
  auto id = entry_order_id("a_very_long_strategy_name_that_goes_on_and_on_forever", sym, Side::kBuy,
                           Interval::k15s, kBar);
  EXPECT_EQ(id, "avlsntgoaof-BRK.B-buy-15s-1381152600");
  EXPECT_TRUE(bus::keys::validate_order_id(id));
  // A symbol so long that even the initials do not fit is cut, still unique per bar.
  auto longest =
      entry_order_id(std::string(70, 'x'), std::string(32, 'Z'), Side::kBuy, Interval::k30s, kBar);
  EXPECT_LE(longest.size(), kMaxOrderIdBytes);
  EXPECT_TRUE(bus::keys::validate_order_id(longest));
  EXPECT_NE(longest.find("-buy-30s-1381152600"), std::string::npos);
}

TEST(OrderId, ExitAndFlattenIds) {
  EXPECT_EQ(exit_order_id("ema_rsi_confluence-SPY-buy-1m-1381152600"),
            "x-ema_rsi_confluence-SPY-buy-1m-1381152600");
  auto cut = exit_order_id(std::string(64, 'e'));
  EXPECT_EQ(cut.size(), kMaxOrderIdBytes);
  EXPECT_TRUE(bus::keys::validate_order_id(cut));
  EXPECT_EQ(flatten_order_id("SPY", 42), "x-flat-SPY-42");
}

}  // namespace
}  // namespace harrier::roles::execute
