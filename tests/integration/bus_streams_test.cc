// Streams and consumer groups against a real redis-server: idempotent group creation, typed
// publish and read, XACK, BLOCK timeouts and wake-ups across threads, and start-up recovery of
// this consumer's pending entries and of a dead consumer's.
#include <gtest/gtest.h>

#include <thread>

#include "bus/keys.h"
#include "bus/streams.h"
#include "bus_test_util.h"

namespace harrier::bus {
namespace {

using test::fast_config;

class BusStreams : public test::RedisSuite {};

const std::string kExit(keys::stream_name(keys::Stream::kExitFire));
const std::string kGroup(keys::kGroupExecute);

TEST_F(BusStreams, GroupCreationIsIdempotent) {
  Connection c(fast_config(server().url()));
  ASSERT_TRUE(ensure_group(c, kExit, kGroup));
  ASSERT_TRUE(ensure_group(c, kExit, kGroup));  // BUSYGROUP is fine
  auto info = c.command({"XINFO", "GROUPS", kExit});
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size(), 1u);
  ASSERT_TRUE(c.command({"SET", "plain", "x"}));
  auto wrong = ensure_group(c, "plain", kGroup);  // a key of another type is a real error
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message().find("XGROUP CREATE plain"), std::string::npos)
      << wrong.error().message();
}

TEST_F(BusStreams, PublishReadAckTypedEvents) {
  Connection c(fast_config(server().url()));
  ASSERT_TRUE(ensure_group(c, kExit, kGroup));
  for (int i = 0; i < 3; ++i) {
    auto id = publish(c, ExitFireEvent{"SPY", "trailing_stop", 450.0 + i, 1000 + i});
    ASSERT_TRUE(id) << id.error().to_string();
  }
  auto got = read_group(c, kExit, kGroup, "p2-a", 10, 100);
  ASSERT_TRUE(got) << got.error().to_string();
  ASSERT_EQ(got->size(), 3u);
  for (int i = 0; i < 3; ++i) {
    auto ev = decode_exit_fire((*got)[static_cast<std::size_t>(i)].fields);
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->stop_price, 450.0 + i);
    EXPECT_EQ(ev->trigger_ns, 1000 + i);
  }
  std::vector<std::string> ids;
  for (const auto& e : *got) ids.push_back(e.id);
  auto acked = ack(c, kExit, kGroup, ids);
  ASSERT_TRUE(acked);
  EXPECT_EQ(*acked, 3);
  auto pending = c.command({"XPENDING", kExit, kGroup});
  ASSERT_TRUE(pending);
  EXPECT_EQ(*pending->at(0).integer(), 0);
  // Nothing new: BLOCK times out and returns no entries.
  auto empty = read_group(c, kExit, kGroup, "p2-a", 10, 20);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST_F(BusStreams, BadEntryIsAnErrorNamingTheField) {
  Connection c(fast_config(server().url()));
  ASSERT_TRUE(ensure_group(c, kExit, kGroup));
  ASSERT_TRUE(
      xadd(c, kExit, {{"sym", "SPY"}, {"reason", "x"}, {"stop_price", "-1"}, {"trigger_ns", "1"}}));
  auto got = read_group(c, kExit, kGroup, "p2-a", 10, 0);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  auto ev = decode_exit_fire((*got)[0].fields);
  ASSERT_FALSE(ev);
  EXPECT_NE(ev.error().message().find("'stop_price'"), std::string::npos);
}

TEST_F(BusStreams, ReaderWakesWhenAnotherThreadPublishes) {
  Connection reader(fast_config(server().url()));
  ASSERT_TRUE(ensure_group(reader, kExit, kGroup, "$"));
  std::thread producer([&] {
    Connection w(fast_config(server().url()));
    // Wait until the reader is blocked in XREADGROUP, then publish once.
    test::eventually([&] {
      auto r = w.command({"CLIENT", "LIST", "TYPE", "normal"});
      return r && r->string() && r->string()->find("cmd=xreadgroup") != std::string_view::npos;
    });
    EXPECT_TRUE(publish(w, ExitFireEvent{"SPY", "stop", 1.0, 5}));
  });
  auto got = read_group(reader, kExit, kGroup, "p2", 10, 5000);
  producer.join();
  ASSERT_TRUE(got) << got.error().to_string();
  ASSERT_EQ(got->size(), 1u);
}

TEST_F(BusStreams, OwnPendingEntriesAreRecoveredAfterARestart) {
  Connection c(fast_config(server().url()));
  ASSERT_TRUE(ensure_group(c, kExit, kGroup));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(publish(c, ExitFireEvent{"SPY", "s", 2.0, i}));
  auto got = read_group(c, kExit, kGroup, "p2-main", 10, 0);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 5u);
  std::vector<std::string> first_two = {(*got)[0].id, (*got)[1].id};
  ASSERT_TRUE(ack(c, kExit, kGroup, first_two));
  // "Restart": a new connection with the same consumer name claims what it left pending.
  Connection restarted(fast_config(server().url()));
  auto rec = recover_pending(restarted, kExit, kGroup, "p2-main", 60'000);
  ASSERT_TRUE(rec) << rec.error().to_string();
  ASSERT_EQ(rec->size(), 3u);
  EXPECT_EQ((*rec)[0].id, (*got)[2].id);
  EXPECT_EQ((*rec)[2].id, (*got)[4].id);
}

TEST_F(BusStreams, DeadConsumersPendingEntriesGoToANewConsumer) {
  Connection c(fast_config(server().url()));
  ASSERT_TRUE(ensure_group(c, kExit, kGroup));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(publish(c, ExitFireEvent{"QQQ", "s", 3.0, i}));
  {
    Connection dying(fast_config(server().url()));
    auto got = read_group(dying, kExit, kGroup, "p2-dead", 10, 0);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), 4u);
    ASSERT_TRUE(ack(dying, kExit, kGroup, std::vector<std::string>{(*got)[0].id}));
  }  // dies with 3 pending
  Connection fresh(fast_config(server().url()));
  // Not idle long enough yet: nothing is taken from a consumer that may still be alive.
  auto early = recover_pending(fresh, kExit, kGroup, "p2-new", 60'000);
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->empty());
  auto claimed = test::eventually(
      [&] {
        auto r = recover_pending(fresh, kExit, kGroup, "p2-new", 30);
        return r && r->size() == 3u;
      },
      3000);
  ASSERT_TRUE(claimed);
  auto owner = c.command({"XPENDING", kExit, kGroup, "-", "+", "10"});
  ASSERT_TRUE(owner);
  ASSERT_EQ(owner->size(), 3u);
  for (std::size_t i = 0; i < owner->size(); ++i) {
    EXPECT_EQ(*owner->at(i).at(1).string(), "p2-new");
  }
}

TEST_F(BusStreams, TrimmedPendingEntriesAreAckedAndSkipped) {
  Connection c(fast_config(server().url()));
  ASSERT_TRUE(ensure_group(c, kExit, kGroup));
  auto id = publish(c, ExitFireEvent{"SPY", "s", 2.0, 1});
  ASSERT_TRUE(id);
  ASSERT_TRUE(read_group(c, kExit, kGroup, "p2", 10, 0));
  ASSERT_TRUE(c.command({"XDEL", kExit, *id}));
  auto rec = recover_pending(c, kExit, kGroup, "p2", 60'000);
  ASSERT_TRUE(rec) << rec.error().to_string();
  EXPECT_TRUE(rec->empty());
  auto pending = c.command({"XPENDING", kExit, kGroup});
  ASSERT_TRUE(pending);
  EXPECT_EQ(*pending->at(0).integer(), 0);
}

}  // namespace
}  // namespace harrier::bus
