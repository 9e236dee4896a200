// State helpers against a real redis-server: order:{id} created with NX, position and
// engine_state replaced whole, heartbeat with a TTL.
#include <gtest/gtest.h>

#include "bus/keys.h"
#include "bus/state.h"
#include "bus_test_util.h"

namespace harrier::bus {
namespace {

using test::fast_config;

class BusState : public test::RedisSuite {};

TEST_F(BusState, OrderIsCreatedOnceWithNx) {
  Connection c(fast_config(server().url()));
  Fields first = {{"sym", "SPY"}, {"side", "buy"}, {"qty", "100"}, {"state", "new"}};
  auto created = create_order(c, "P2-1", first);
  ASSERT_TRUE(created) << created.error().to_string();
  EXPECT_TRUE(*created);
  auto again = create_order(c, "P2-1", {{"sym", "QQQ"}, {"qty", "5"}});
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);  // a retried submission does not create a second order
  auto read = read_order(c, "P2-1");
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->size(), 4u);
  EXPECT_EQ((**read)[0], (std::pair<std::string, std::string>("sym", "SPY")));

  ASSERT_TRUE(update_order(c, "P2-1", {{"state", "filled"}}));
  auto updated = c.command({"HGET", keys::order("P2-1"), "state"});
  ASSERT_TRUE(updated);
  EXPECT_EQ(*updated->string(), "filled");
  auto missing = update_order(c, "P2-404", {{"state", "filled"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message().find("order:P2-404"), std::string::npos);
  EXPECT_FALSE(create_order(c, "bad id", first));
  EXPECT_FALSE(create_order(c, "P2-2", {}));
  auto none = read_order(c, "P2-3");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST_F(BusState, OrdersAreCreatedAndHashesReadWithThemLineUp) {
  Connection c(fast_config(server().url()));
  ASSERT_TRUE(c.command({"HSET", "quote:SPY", "bid", "101", "ask", "101.01"}));
  ASSERT_TRUE(c.command({"SET", "quote:DIA", "not a hash"}));
  const Fields a = {{"sym", "SPY"}, {"state", "new"}}, b = {{"sym", "QQQ"}, {"state", "new"}};
  ASSERT_TRUE(create_order(c, "P2-2", b));  // exists already
  const OrderToCreate orders[] = {{"P2-1", &a}, {"P2-2", &b}, {"bad id", &a}};
  const std::vector<std::string> keys = {"quote:SPY", "quote:QQQ", "quote:DIA"};
  std::vector<Result<std::optional<Fields>>> read;
  const std::uint64_t before = c.stats().commands;
  auto created = create_orders(c, orders, keys, read);
  EXPECT_EQ(c.stats().commands - before, 5u);  // two creates and three reads; the bad id not sent
  ASSERT_EQ(created.size(), 3u);
  ASSERT_TRUE(created[0] && created[1]);
  EXPECT_TRUE(*created[0]);
  EXPECT_FALSE(*created[1]);
  EXPECT_FALSE(created[2]);  // refused before sending; the reads still line up
  ASSERT_EQ(read.size(), 3u);
  ASSERT_TRUE(read[0] && read[0]->has_value());
  EXPECT_EQ(**read[0], (Fields{{"bid", "101"}, {"ask", "101.01"}}));
  ASSERT_TRUE(read[1]);
  EXPECT_FALSE(read[1]->has_value());
  ASSERT_FALSE(read[2]);  // WRONGTYPE, named
  EXPECT_NE(read[2].error().message().find("quote:DIA"), std::string::npos)
      << read[2].error().message();
}

TEST_F(BusState, PositionAndEngineStateAreReplacedWhole) {
  Connection c(fast_config(server().url()));
  ASSERT_TRUE(write_position(c, "SPY", {{"qty", "100"}, {"avg_price", "451.2"}, {"stop", "a"}}));
  ASSERT_TRUE(write_position(c, "SPY", {{"qty", "50"}, {"avg_price", "451.2"}}));
  auto p = read_position(c, "SPY");
  ASSERT_TRUE(p && p->has_value());
  EXPECT_EQ((*p)->size(), 2u);  // "stop" from the first write is gone
  ASSERT_TRUE(write_position(c, "SPY", {}));
  auto gone = read_position(c, "SPY");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());

  ASSERT_TRUE(write_engine_state(c, "SPY", Side::kSell, {{"gate_rsi", "open"}}));
  auto es = read_engine_state(c, "SPY", Side::kSell);
  ASSERT_TRUE(es && es->has_value());
  EXPECT_EQ((**es)[0].second, "open");
  auto other_side = read_engine_state(c, "SPY", Side::kBuy);
  ASSERT_TRUE(other_side);
  EXPECT_FALSE(other_side->has_value());
}

TEST_F(BusState, HeartbeatExpires) {
  Connection c(fast_config(server().url()));
  ASSERT_TRUE(write_heartbeat(c, "ingest", R"({"pid":1})", 60'000));
  auto ttl = c.command({"PTTL", keys::heartbeat("ingest")});
  ASSERT_TRUE(ttl);
  EXPECT_GT(*ttl->integer(), 0);
  EXPECT_LE(*ttl->integer(), 60'000);
  auto hb = read_heartbeat(c, "ingest");
  ASSERT_TRUE(hb && hb->has_value());
  EXPECT_EQ(**hb, R"({"pid":1})");

  ASSERT_TRUE(write_heartbeat(c, "execute", "{}", 20));
  auto gone = test::eventually([&] {
    auto r = read_heartbeat(c, "execute");
    return r && !r->has_value();
  });
  EXPECT_TRUE(gone);
  EXPECT_FALSE(write_heartbeat(c, "execute", "{}", 0));
  EXPECT_FALSE(write_heartbeat(c, "Bad Role", "{}", 10));
}

}  // namespace
}  // namespace harrier::bus
