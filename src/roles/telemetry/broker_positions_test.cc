// IbPositionSource (P3's watchdog positions over its own TWS client id) against the
// protocol-level fake TWS on 127.0.0.1 (no live TWS is reachable here): unknown until the first
// re-sync, the stocks TWS holds after it, live position updates, unknown again while the
// session is down, and the fresh snapshot after the reconnect.
#include "roles/telemetry/broker_positions.h"

#include <gtest/gtest.h>

#include "broker/tws/fake_tws.h"

namespace harrier::roles::telemetry {
namespace {

class IbPositionSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tws::testing::FakeTwsOptions fo;
    fo.clock = &clock_;
    auto f = tws::testing::FakeTws::start(fo);
    ASSERT_TRUE(f);
    fake_ = std::move(*f);
    fake_->positions()["SPY"] = 100;
    fake_->positions()["QQQ"] = -40;
    tws::ConnectionOptions o;
    o.port = fake_->port();
    o.client_id = 21;
    src_ = std::make_unique<IbPositionSource>(o, clock_);
  }
  template <typename F>
  bool pump(F done) {
    for (int i = 0; i < 20000; ++i) {
      fake_->do_work();
      src_->poll();
      if (done()) return true;
      clock_.advance(kNsPerMs);
    }
    return false;
  }
  std::optional<BrokerRead> read() {
    auto r = src_->read();
    EXPECT_TRUE(r);
    return r ? *r : std::nullopt;
  }

  ManualClock clock_{1'767'621'600 * kNsPerSec};
  std::unique_ptr<tws::testing::FakeTws> fake_;
  std::unique_ptr<IbPositionSource> src_;
};

TEST_F(IbPositionSourceTest, KnownOnlyWhileASessionIsSynced) {
  EXPECT_FALSE(read().has_value());  // not connected yet: unknown, not flat
  ASSERT_TRUE(pump([&] { return read().has_value(); }));
  EXPECT_EQ(src_->connection().options().client_id, 21);
  auto r = read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->held, (risk::PositionMap{{"QQQ", -40}, {"SPY", 100}}));
  EXPECT_TRUE(r->bad.empty());

  // A live update after positionEnd (TWS keeps streaming positions).
  fake_->send("61|3|DU123456|1|SPY|STK||0||||USD|SPY|SPY|0|0|");
  fake_->send("61|3|DU123456|2|IWM|STK||0||||USD|IWM|IWM|7|190|");
  fake_->send("61|3|DU123456|3|SPY|OPT|20260105|590|C|100||USD|X|SPY|3|1|");  // not a stock
  ASSERT_TRUE(pump([&] { return read()->held.contains("IWM"); }));
  EXPECT_EQ(read()->held, (risk::PositionMap{{"IWM", 7}, {"QQQ", -40}}));

  // The session drops: unknown until the next re-sync, which brings a fresh snapshot.
  fake_->positions()["QQQ"] = 0;
  fake_->positions()["IWM"] = 7;
  fake_->drop_client();
  ASSERT_TRUE(pump([&] { return !read().has_value(); }));
  ASSERT_TRUE(pump([&] { return read().has_value(); }));
  EXPECT_EQ(src_->connection().stats().sessions, 2u);
  auto after = read();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->held, (risk::PositionMap{{"IWM", 7}, {"SPY", 100}}));
}

}  // namespace
}  // namespace harrier::roles::telemetry
