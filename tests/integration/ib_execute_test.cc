// P2 `harrier execute --set broker.kind=ib` as a separate process against the protocol-level
// fake TWS on a free loopback port (no live TWS is reachable here) and a real redis-server:
// a passing entry becomes one placeOrder whose orderRef is the client order id, the fake fills
// it, and the fill lands in order:{id} and position:{sym} like a paper fill. The TWS order id is
// persisted in Redis (ib:next_order_id:20).
#include <fmt/format.h>

#include "execute_test_util.h"
#include "ib_fake_thread.h"

namespace harrier::execute_test {
namespace {

class IbExecute : public ExecuteSuite {};

const std::string kEntryId = "ema_rsi_confluence-SPY-buy-1m-1381152600";

TEST_F(IbExecute, EntryIsPlacedWithItsClientOrderIdAndFilled) {
  // Fills every acknowledged order in full at 100.01, from the fake's own thread.
  std::atomic<bool> synced{false};
  ib_test::FakeTwsThread tws([&](tws::testing::FakeTws& f) {
    if (!f.received_with_id(7).empty()) synced = true;  // P2's re-sync reached reqExecutions
    for (auto& [id, o] : f.orders()) {
      if (o.open && o.filled == 0) f.fill(id, o.quantity, 100.01);
    }
  });
  ASSERT_TRUE(tws.started());
  Process& p2 = start_p2({"broker.kind=ib", "ib.port=" + std::to_string(tws.port())});
  ASSERT_TRUE(eventually([&] { return synced.load(); }, 15000)) << p2.log();
  // The session is ready once the re-sync is reconciled (the log says so).
  ASSERT_TRUE(eventually([&] { return p2.log().find("-> ready") != std::string::npos; }, 15000))
      << p2.log();

  write_seals("SPY", kOpen);
  ASSERT_TRUE(eventually([&] { return hget("position:SPY", "qty") == "100"; }, 15000)) << p2.log();
  EXPECT_EQ(hget("position:SPY", "avg_price"), "100.01");
  EXPECT_EQ(hget("position:SPY", "entry_order_id"), kEntryId);
  EXPECT_EQ(hget("order:" + kEntryId, "state"), "filled");
  EXPECT_EQ(hget("order:" + kEntryId, "filled_qty"), "100");
  EXPECT_EQ(hget("order:" + kEntryId, "avg_fill_price"), "100.01");
  std::string next_id;
  if (auto r = command({"GET", "ib:next_order_id:20"}); r && r->string()) {
    next_id = std::string(*r->string());
  }
  EXPECT_EQ(next_id, "2");  // order id 1 used (the fake's nextValidId), 2 persisted as next

  EXPECT_EQ(p2.terminate(), 0) << p2.log();
  tws.stop();
  auto& fake = tws.fake();
  ASSERT_EQ(fake.orders().size(), 1u);
  const auto& o = fake.orders().begin()->second;
  EXPECT_EQ(o.order_ref, kEntryId);
  EXPECT_EQ(o.symbol, "SPY");
  EXPECT_EQ(o.action, "BUY");
  EXPECT_EQ(o.quantity, 100);
  EXPECT_EQ(fake.received_with_id(3).size(), 1u);  // one placeOrder
  auto starts = fake.received_with_id(71);
  ASSERT_FALSE(starts.empty());
  EXPECT_EQ(starts[0].fields[2], "20");  // ib.client_id_execute
}

}  // namespace
}  // namespace harrier::execute_test
