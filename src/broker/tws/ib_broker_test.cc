// IbBroker (broker::Broker) over the real Connection against the fake TWS on 127.0.0.1 (no live
// TWS here): submit, submitted, partial fill, fill, cancel, reject, positions.
#include "broker/tws/ib_broker.h"

#include <gtest/gtest.h>

#include "broker/tws/fake_tws.h"

namespace harrier::tws {
namespace {

constexpr TimestampNs kStart = 1'735'740'000 * kNsPerSec;

class IbBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::FakeTwsOptions fo;
    fo.clock = &clock_;
    fo.next_valid_id = 7;
    auto f = testing::FakeTws::start(fo);
    ASSERT_TRUE(f);
    fake_ = std::move(*f);
    ConnectionOptions o;
    o.port = fake_->port();
    o.client_id = 20;
    conn_ = std::make_unique<Connection>(o, clock_, ids_);
    broker_ = std::make_unique<IbBroker>(*conn_, clock_);
    conn_->start();
    ASSERT_TRUE(run([&] { return conn_->state() == SessionState::kReady; }));
  }
  template <typename F>
  bool run(F done) {
    for (int i = 0; i < 20000; ++i) {
      EXPECT_TRUE(broker_->poll(events_));
      fake_->do_work();
      if (done()) return true;
      clock_.advance(kNsPerMs);
    }
    return false;
  }
  ManualClock clock_{kStart};
  std::unique_ptr<testing::FakeTws> fake_;
  InMemoryOrderIdStore ids_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<IbBroker> broker_;
  std::vector<broker::OrderEvent> events_;
};

TEST_F(IbBrokerTest, OrderLifeCycleAndPositions) {
  broker::OrderRequest r;
  r.client_order_id = "p2-1";
  r.sym = "SPY";
  r.qty = 100;
  r.type = broker::OrderType::kLimit;
  r.limit_price = 590;
  ASSERT_TRUE(broker_->submit(r));
  EXPECT_FALSE(broker_->submit(r));  // same client order id
  ASSERT_TRUE(run([&] { return events_.size() == 1; }));
  EXPECT_EQ(events_[0].kind, broker::EventKind::kSubmitted);
  EXPECT_TRUE(broker_->working("p2-1"));
  fake_->fill(7, 30, 590);
  fake_->fill(7, 70, 589.9);
  ASSERT_TRUE(run([&] { return events_.size() == 3; }));
  EXPECT_EQ(events_[1].kind, broker::EventKind::kPartialFill);
  EXPECT_EQ(events_[1].fill_qty, 30);
  EXPECT_EQ(events_[1].remaining_qty, 70);
  EXPECT_EQ(events_[2].kind, broker::EventKind::kFill);
  EXPECT_EQ(events_[2].cum_qty, 100);
  EXPECT_NEAR(events_[2].avg_price, 589.93, 1e-9);
  EXPECT_FALSE(broker_->working("p2-1"));

  r.client_order_id = "p2-2";
  r.side = Side::kSell;
  r.type = broker::OrderType::kMarket;
  ASSERT_TRUE(broker_->submit(r));
  ASSERT_TRUE(run([&] { return events_.size() == 4; }));
  ASSERT_TRUE(broker_->cancel("p2-2"));
  ASSERT_TRUE(run([&] { return events_.size() == 5; }));
  EXPECT_EQ(events_[4].kind, broker::EventKind::kCancelled);
  EXPECT_EQ(broker_->cancel("p2-2").error().code(), ErrorCode::kNotFound);

  r.client_order_id = "p2-3";
  ASSERT_TRUE(broker_->submit(r));
  ASSERT_TRUE(run([&] { return events_.size() == 6; }));
  fake_->send("4|2|9|201|Order rejected - reason: no shortable shares||");
  ASSERT_TRUE(run([&] { return events_.size() == 7; }));
  EXPECT_EQ(events_[6].kind, broker::EventKind::kRejected);
  EXPECT_NE(events_[6].reason.find("201"), std::string::npos);

  // Positions come from the re-sync after a reconnect.
  fake_->drop_client();
  ASSERT_TRUE(
      run([&] { return conn_->stats().sessions == 2 && conn_->state() == SessionState::kReady; }));
  auto pos = broker_->positions();
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(pos[0].sym, "SPY");
  EXPECT_EQ(pos[0].qty, 100);
  EXPECT_EQ(events_.size(), 7u);  // the re-synced executions are not new fills
}

}  // namespace
}  // namespace harrier::tws
