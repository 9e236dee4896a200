// Order-id integrity with the id persisted in a real redis-server (tests/support), driven
// through the real tws::Connection against the protocol-level fake TWS on 127.0.0.1. No live
// TWS is reachable in this environment. The TWS side runs on a ManualClock (do_work on the test
// thread); Redis is real and runs on real time.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "broker/tws/connection.h"
#include "broker/tws/fake_tws.h"
#include "broker/tws/redis_order_id_store.h"
#include "bus/connection.h"
#include "bus/keys.h"
#include "support/redis_server.h"

namespace harrier::tws {
namespace {

using testing::FakeTws;

constexpr TimestampNs kStart = 1'735'740'000 * kNsPerSec;  // 2025-01-01 14:00 UTC

struct Reports final : ConnectionHandler {
  std::vector<ReconcileReport> reports;
  std::vector<Execution> executions;
  void on_message(const Message& m, SubId) override {
    if (const auto* e = std::get_if<Execution>(&m)) executions.push_back(*e);
  }
  void on_reconciled(const ReconcileReport& r) override { reports.push_back(r); }
};

Contract spy() {
  Contract c;
  c.symbol = "SPY";
  c.sec_type = "STK";
  c.exchange = "SMART";
  c.currency = "USD";
  return c;
}

Order buy(std::string ref) {
  Order o;
  o.action = "BUY";
  o.total_quantity = 10;
  o.order_type = "LMT";
  o.lmt_price = 590;
  o.tif = "DAY";
  o.order_ref = std::move(ref);
  return o;
}

class IbOrderIdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = harrier::testing::RedisServer::start();
    ASSERT_TRUE(s) << s.error().to_string();
    redis_server_ = std::move(*s);
    bus::ConnectionConfig cfg;
    cfg.url = redis_server_->url();
    cfg.connect_timeout_ns = 500 * kNsPerMs;
    cfg.command_timeout_ns = 500 * kNsPerMs;
    cfg.backoff = bus::BackoffPolicy{2 * kNsPerMs, 20 * kNsPerMs, 0.5, 1};
    redis_ = std::make_unique<bus::Connection>(cfg);
    testing::FakeTwsOptions fo;
    fo.clock = &clock_;
    auto f = FakeTws::start(fo);
    ASSERT_TRUE(f) << f.error().to_string();
    fake_ = std::move(*f);
  }

  // A new Connection (and store) as a restarted process would build it.
  void open_session() {
    conn_.reset();
    store_ = std::make_unique<RedisOrderIdStore>(*redis_, 20);
    ConnectionOptions o;
    o.port = fake_->port();
    o.client_id = 20;
    o.account = "DU123456";
    conn_ = std::make_unique<Connection>(o, clock_, *store_, &rep_);
    conn_->start();
    ASSERT_TRUE(pump([&] { return conn_->state() == SessionState::kReady; }));
  }

  template <typename F>
  bool pump(F done, int max_rounds = 60000) {
    for (int i = 0; i < max_rounds; ++i) {
      conn_->do_work();
      fake_->do_work();
      conn_->do_work();
      if (done()) return true;
      clock_.advance(kNsPerMs);
    }
    return false;
  }

  // Lets the fake notice that its client went away (the old process died).
  bool pump_fake_until_dropped() {
    for (int i = 0; i < 10000; ++i) {
      fake_->do_work();
      if (!fake_->session_up()) return true;
    }
    return false;
  }

  std::int64_t stored_next() {
    auto r = redis_->command({"GET", bus::keys::ib_next_order_id(20)});
    if (!r) return -1;
    auto v = r->string_or_nil();
    if (!v || !*v) return 0;
    return std::stoll(std::string(**v));
  }

  std::size_t place_orders_for(std::string_view ref) {
    std::size_t n = 0;
    for (const auto& f : fake_->received_with_id(3)) n += f.fields[26] == ref ? 1 : 0;
    return n;
  }

  ManualClock clock_{kStart};
  std::unique_ptr<harrier::testing::RedisServer> redis_server_;
  std::unique_ptr<bus::Connection> redis_;
  std::unique_ptr<FakeTws> fake_;
  std::unique_ptr<RedisOrderIdStore> store_;
  Reports rep_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(IbOrderIdTest, DroppedSocketNeverReusesAnIdAndSendsNoDuplicate) {
  fake_->options().next_valid_id = 100;
  open_session();
  auto a = conn_->place_order(spy(), buy("a"));
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(*a, 100);
  EXPECT_EQ(stored_next(), 101);  // in Redis before the frame left
  ASSERT_TRUE(pump([&] { return fake_->orders().size() == 1; }));

  fake_->drop_client();
  fake_->options().next_valid_id = 5;  // the gateway restarted and forgot
  ASSERT_TRUE(pump([&] { return conn_->state() == SessionState::kWaiting; }));
  ASSERT_TRUE(pump([&] { return conn_->state() == SessionState::kReady; }));
  ASSERT_EQ(rep_.reports.size(), 2u);
  ASSERT_EQ(rep_.reports[1].orders_confirmed.size(), 1u);  // still working at TWS
  EXPECT_FALSE(conn_->place_order(spy(), buy("a")));       // no duplicate
  auto b = conn_->place_order(spy(), buy("b"));
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, 101);
  EXPECT_EQ(stored_next(), 102);
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(3).size() == 2; }));
  EXPECT_EQ(place_orders_for("a"), 1u);
  EXPECT_EQ(place_orders_for("b"), 1u);
}

TEST_F(IbOrderIdTest, RestartedProcessMatchesFillsByOrderRefAndContinuesIds) {
  fake_->options().next_valid_id = 40;
  open_session();
  auto a = conn_->place_order(spy(), buy("entry-7"));
  ASSERT_TRUE(a);
  ASSERT_TRUE(pump([&] { return fake_->orders().size() == 1; }));

  // The process dies; TWS keeps the order and fills part of it while nobody listens.
  conn_.reset();
  ASSERT_TRUE(pump_fake_until_dropped());
  fake_->fill(*a, 4, 590);
  fake_->options().next_valid_id = 1;

  rep_ = Reports{};
  open_session();  // a new Connection and store: only Redis and TWS remember
  ASSERT_EQ(rep_.reports.size(), 1u);
  const ReconcileReport& r = rep_.reports[0];
  ASSERT_EQ(r.orders_adopted.size(), 1u);
  EXPECT_EQ(r.orders_adopted[0].order_ref, "entry-7");
  ASSERT_EQ(r.missed_executions.size(), 1u);
  EXPECT_EQ(r.missed_executions[0].order_ref, "entry-7");
  const TrackedOrder* t = conn_->reconciler().by_ref("entry-7");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->order_id, *a);

  // A later fill is matched by orderRef; the id is never handed out again.
  fake_->fill(*a, 6, 590.5);
  ASSERT_TRUE(pump([&] { return !rep_.executions.empty(); }));
  EXPECT_EQ(rep_.executions.back().order_ref, "entry-7");
  EXPECT_FALSE(conn_->place_order(spy(), buy("entry-7")));
  auto next = conn_->place_order(spy(), buy("entry-8"));
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, *a + 1);
  EXPECT_EQ(place_orders_for("entry-7"), 1u);
}

TEST_F(IbOrderIdTest, RedisDownRefusesOrdersThenRecovers) {
  fake_->options().next_valid_id = 10;
  open_session();
  ASSERT_TRUE(redis_server_->kill());
  auto r = conn_->place_order(spy(), buy("x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message().find("ib:next_order_id:20"), std::string::npos)
      << r.error().message();
  ASSERT_TRUE(redis_server_->restart());  // data is not kept: the key is gone
  // Someone (another run of this client id) had gone further meanwhile.
  bool set = false;
  for (int i = 0; i < 200 && !set; ++i) {
    set = static_cast<bool>(redis_->command({"SET", bus::keys::ib_next_order_id(20), "500"}));
    if (!set) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // Redis backoff
  }
  ASSERT_TRUE(set);
  Result<std::int64_t> ok_id = unavailable("not yet");
  for (int i = 0; i < 200 && !ok_id; ++i) {
    ok_id = conn_->place_order(spy(), buy("x" + std::to_string(i)));
    if (!ok_id) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // Redis backoff
  }
  ASSERT_TRUE(ok_id) << ok_id.error().to_string();
  EXPECT_EQ(*ok_id, 500);  // re-read from the store after the failure
  // Only the order that got a persisted id reached TWS.
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(3).size() == 1; }));
  EXPECT_EQ(fake_->received_with_id(3)[0].fields[1], "500");
}

}  // namespace
}  // namespace harrier::tws
