// The real Connection against the protocol-level fake TWS (fake_tws.h) on 127.0.0.1, both
// driven by do_work() on the test thread with a ManualClock: no sleeps, no threads. No live TWS
// is reachable in this environment; the fake speaks the real framing and handshake and scripts
// the server side. Order ids use the in-memory store here; tests/integration/ib_* repeat the
// reconnect and restart cases with the id persisted in a real redis-server.
#include "broker/tws/connection.h"

#include <deque>
#include <memory>

#include <gtest/gtest.h>

#include "broker/tws/fake_tws.h"
#include "broker/tws/test_util.h"

namespace harrier::tws {
namespace {

using testing::FakeTws;
using testing::FakeTwsOptions;

// 2025-01-01 14:00:00 UTC.
constexpr TimestampNs kStart = 1'735'740'000 * kNsPerSec;

struct Recorder final : ConnectionHandler {
  std::vector<std::pair<Message, SubId>> messages;
  std::vector<SessionState> states;
  std::vector<ReconcileReport> reports;
  std::vector<std::pair<std::int64_t, std::string>> not_sent;
  void on_message(const Message& m, SubId sub) override { messages.emplace_back(m, sub); }
  void on_state(SessionState, SessionState to, std::string_view) override { states.push_back(to); }
  void on_reconciled(const ReconcileReport& r) override { reports.push_back(r); }
  void on_order_not_sent(std::int64_t id, std::string_view ref, std::string_view) override {
    not_sent.emplace_back(id, std::string(ref));
  }
  template <typename T>
  std::vector<std::pair<T, SubId>> of() const {
    std::vector<std::pair<T, SubId>> out;
    for (const auto& [m, s] : messages) {
      if (const T* v = std::get_if<T>(&m)) out.emplace_back(*v, s);
    }
    return out;
  }
};

Contract stock(std::string sym, std::string exchange = "SMART") {
  Contract c;
  c.symbol = std::move(sym);
  c.sec_type = "STK";
  c.exchange = std::move(exchange);
  c.currency = "USD";
  return c;
}

Order limit_buy(std::string ref, double qty = 100, double px = 189.5) {
  Order o;
  o.action = "BUY";
  o.total_quantity = qty;
  o.order_type = "LMT";
  o.lmt_price = px;
  o.tif = "DAY";
  o.order_ref = std::move(ref);
  return o;
}

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeTwsOptions fo;
    fo.clock = &clock_;
    auto f = FakeTws::start(fo);
    ASSERT_TRUE(f) << f.error().to_string();
    fake_ = std::move(*f);
  }

  ConnectionOptions options() {
    ConnectionOptions o;
    o.host = "127.0.0.1";
    o.port = fake_->port();
    o.client_id = 20;
    o.account = "DU123456";
    o.seed = 7;
    return o;
  }

  void make(ConnectionOptions o) {
    conn_ = std::make_unique<Connection>(std::move(o), clock_, ids_, &rec_);
  }

  // Runs both sides, advancing the manual clock by `step` per round, until `done` holds.
  template <typename F>
  bool pump(F done, int max_rounds = 60000, DurationNs step = kNsPerMs) {
    for (int i = 0; i < max_rounds; ++i) {
      conn_->do_work();
      fake_->do_work();
      conn_->do_work();
      if (done()) return true;
      clock_.advance(step);
    }
    return false;
  }

  bool ready() { return conn_->state() == SessionState::kReady; }

  void start_ready() {
    make(options());
    conn_->start();
    ASSERT_TRUE(pump([&] { return ready(); })) << conn_->stats().last_error;
  }

  // Pumps a few rounds without advancing time (lets bytes cross the loopback).
  void settle(int rounds = 50) {
    for (int i = 0; i < rounds; ++i) {
      conn_->do_work();
      fake_->do_work();
    }
  }

  ManualClock clock_{kStart};
  std::unique_ptr<FakeTws> fake_;
  InMemoryOrderIdStore ids_;
  Recorder rec_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(ConnectionTest, HandshakeThenResyncThenReady) {
  start_ready();
  EXPECT_EQ(conn_->server_version(), 193);
  ASSERT_EQ(conn_->accounts().size(), 1u);
  EXPECT_EQ(conn_->accounts()[0], "DU123456");
  const auto& got = fake_->received();
  ASSERT_GE(got.size(), 5u);
  EXPECT_EQ(got[0].fields[0], "v100..193");
  EXPECT_EQ(got[1].pipes(), "71|2|20||");
  EXPECT_EQ(got[2].pipes(), "61|1|");
  EXPECT_EQ(got[3].pipes(), "5|1|");
  // Today's executions of this client id and account.
  EXPECT_EQ(got[4].id(), 7);
  ASSERT_EQ(got[4].fields.size(), 10u);
  EXPECT_EQ(got[4].fields[3], "20");
  EXPECT_EQ(got[4].fields[4], "DU123456");
  EXPECT_EQ(got[4].fields[5], "20250101-00:00:00");
  std::vector<SessionState> want = {SessionState::kWaiting, SessionState::kConnecting,
                                    SessionState::kHandshake, SessionState::kSyncing,
                                    SessionState::kReady};
  EXPECT_EQ(rec_.states, want);
  ASSERT_EQ(rec_.reports.size(), 1u);
  EXPECT_FALSE(rec_.reports[0].changed());
  EXPECT_EQ(conn_->stats().sessions, 1u);
  EXPECT_TRUE(conn_->can_send_orders());
}

TEST_F(ConnectionTest, SubscriptionsAndADepthStreamThroughPartialReads) {
  start_ready();
  Subscription tbt;
  tbt.kind = SubKind::kTickByTick;
  tbt.contract = stock("AAPL");
  tbt.tick_by_tick = TickByTickType::kBidAsk;
  auto quotes = conn_->subscribe(tbt);
  ASSERT_TRUE(quotes);
  Subscription depth;
  depth.kind = SubKind::kDepth;
  depth.contract = stock("AAPL", "ISLAND");
  depth.depth_rows = 5;
  auto book = conn_->subscribe(depth);
  ASSERT_TRUE(book);
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(10).size() == 1; }));
  ASSERT_EQ(fake_->received_with_id(97).size(), 1u);
  const auto q = fake_->received_with_id(97)[0];
  EXPECT_EQ(q.fields[14], "BidAsk");
  EXPECT_EQ(q.fields[3], "AAPL");
  const auto d = fake_->received_with_id(10)[0];
  EXPECT_EQ(d.fields[10], "ISLAND");
  EXPECT_EQ(d.fields[15], "5");
  const std::string qreq = q.fields[1];
  const std::string dreq = d.fields[2];

  // A depth stream: inserts on both sides, an update, a delete; every frame cut in two.
  std::vector<std::string> frames = {"13|1|" + dreq + "|0|ISLAND|0|1|189.50|300|0|",
                                     "13|1|" + dreq + "|0|ISLAND|0|0|189.52|200|0|",
                                     "13|1|" + dreq + "|1|ISLAND|0|1|189.49|100|0|",
                                     "13|1|" + dreq + "|0|ISLAND|1|1|189.50|350|0|",
                                     "13|1|" + dreq + "|1|ISLAND|2|1|189.49|0|0|",
                                     "99|" + qreq + "|3|1735740000|189.50|189.52|350|200|0|"};
  for (const auto& f : frames) {
    std::string bytes = tws::testing::frame(f);
    fake_->send_raw(bytes.substr(0, 7));
    settle(5);
    fake_->send_raw(bytes.substr(7));
  }
  ASSERT_TRUE(pump([&] { return rec_.of<TickByTickBidAsk>().size() == 1; }));
  auto book_msgs = rec_.of<MarketDepth>();
  ASSERT_EQ(book_msgs.size(), 5u);
  for (const auto& [m, sub] : book_msgs) EXPECT_EQ(sub, *book);
  EXPECT_EQ(book_msgs[0].first.operation, DepthOperation::kInsert);
  EXPECT_EQ(book_msgs[0].first.side, DepthSide::kBid);
  EXPECT_EQ(book_msgs[3].first.operation, DepthOperation::kUpdate);
  EXPECT_EQ(book_msgs[3].first.size, 350);
  EXPECT_EQ(book_msgs[4].first.operation, DepthOperation::kDelete);
  auto ba = rec_.of<TickByTickBidAsk>()[0];
  EXPECT_EQ(ba.second, *quotes);
  EXPECT_EQ(ba.first.ask_price, 189.52);

  // Unsubscribing sends the cancel with the same smart-depth flag.
  ASSERT_TRUE(conn_->unsubscribe(*book));
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(11).size() == 1; }));
  EXPECT_EQ(fake_->received_with_id(11)[0].pipes(), "11|1|" + dreq + "|0|");
  EXPECT_FALSE(conn_->unsubscribe(*book));
}

TEST_F(ConnectionTest, OrderLifeCycleWithPartialFills) {
  fake_->options().next_valid_id = 1000;
  start_ready();
  auto id = conn_->place_order(stock("AAPL"), limit_buy("ord-1"));
  ASSERT_TRUE(id) << id.error().to_string();
  EXPECT_EQ(*id, 1000);
  EXPECT_EQ(ids_.next(), 1001);  // persisted before the frame was queued
  ASSERT_TRUE(pump([&] { return rec_.of<OrderStatus>().size() == 1; }));
  auto placed = fake_->received_with_id(3);
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].fields.size(), 118u);
  EXPECT_EQ(placed[0].fields[1], "1000");
  EXPECT_EQ(placed[0].fields[26], "ord-1");  // orderRef carries the client order id
  EXPECT_EQ(placed[0].fields[23], "DU123456");
  EXPECT_EQ(rec_.of<OrderStatus>()[0].first.status, "Submitted");

  fake_->fill(1000, 40, 189.45);
  fake_->fill(1000, 60, 189.50);
  ASSERT_TRUE(pump([&] { return rec_.of<OrderStatus>().size() == 3; }));
  auto execs = rec_.of<Execution>();
  ASSERT_EQ(execs.size(), 2u);
  EXPECT_EQ(execs[0].first.order_ref, "ord-1");
  EXPECT_EQ(execs[0].first.shares, 40);
  EXPECT_EQ(execs[1].first.cum_qty, 100);
  auto statuses = rec_.of<OrderStatus>();
  EXPECT_EQ(statuses[1].first.status, "Submitted");
  EXPECT_EQ(statuses[1].first.filled, 40);
  EXPECT_EQ(statuses[2].first.status, "Filled");
  EXPECT_NEAR(statuses[2].first.avg_fill_price, 189.48, 1e-9);
  EXPECT_FALSE(conn_->reconciler().by_ref("ord-1")->working);

  // The same client order id never becomes a second order.
  auto dup = conn_->place_order(stock("AAPL"), limit_buy("ord-1"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code(), ErrorCode::kInvalidInput);
  auto second = conn_->place_order(stock("AAPL"), limit_buy("ord-2"));
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 1001);
  ASSERT_TRUE(conn_->cancel_order(*second));
  ASSERT_TRUE(pump([&] { return rec_.of<OrderStatus>().size() == 5; }));
  EXPECT_EQ(rec_.of<OrderStatus>()[4].first.status, "Cancelled");
  EXPECT_FALSE(conn_->reconciler().by_id(1001)->working);
}

TEST_F(ConnectionTest, Error1100DegradesAnd1101Resubscribes) {
  start_ready();
  Subscription s;
  s.kind = SubKind::kTickByTick;
  s.contract = stock("SPY");
  s.tick_by_tick = TickByTickType::kLast;
  auto sub = conn_->subscribe(s);
  ASSERT_TRUE(sub);
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(97).size() == 1; }));
  const std::string first_req = fake_->received_with_id(97)[0].fields[1];

  fake_->send("4|2|-1|1100|Connectivity between IB and TWS has been lost.||");
  ASSERT_TRUE(pump([&] { return conn_->state() == SessionState::kDegraded; }));
  auto refused = conn_->place_order(stock("SPY"), limit_buy("during-1100"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message().find("degraded"), std::string::npos);

  fake_->send("4|2|-1|1101|Connectivity restored - data lost.||");
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(97).size() == 2 && ready(); }));
  EXPECT_EQ(conn_->stats().resubscribe_1101, 1u);
  const auto again = fake_->received_with_id(97)[1];
  EXPECT_NE(again.fields[1], first_req);  // a fresh reqId
  EXPECT_EQ(again.fields[3], "SPY");
  EXPECT_EQ(again.fields[14], "Last");
  // Data on the new reqId reaches the same subscription handle; the old reqId is unknown.
  fake_->send("99|" + again.fields[1] + "|1|1735740001|590.25|100|0|ARCA||");
  fake_->send("99|" + first_req + "|1|1735740001|590.30|100|0|ARCA||");
  ASSERT_TRUE(pump([&] { return rec_.of<TickByTickLast>().size() == 2; }));
  EXPECT_EQ(rec_.of<TickByTickLast>()[0].second, *sub);
  EXPECT_EQ(rec_.of<TickByTickLast>()[1].second, kNoSub);
  EXPECT_TRUE(conn_->place_order(stock("SPY"), limit_buy("after-1101")));

  // 1100 then 1102: restored with data kept, nothing resubscribed.
  fake_->send("4|2|-1|1100|lost||");
  ASSERT_TRUE(pump([&] { return conn_->state() == SessionState::kDegraded; }));
  fake_->send("4|2|-1|1102|Connectivity restored - data maintained.||");
  ASSERT_TRUE(pump([&] { return ready(); }));
  settle();
  EXPECT_EQ(fake_->received_with_id(97).size(), 2u);
}

TEST_F(ConnectionTest, DroppedSocketReconnectsResyncsAndNeverReusesAnId) {
  fake_->options().next_valid_id = 50;
  start_ready();
  Subscription s;
  s.kind = SubKind::kDepth;
  s.contract = stock("SPY", "ARCA");
  ASSERT_TRUE(conn_->subscribe(s));
  auto id = conn_->place_order(stock("SPY"), limit_buy("keep-1", 100, 590));
  ASSERT_TRUE(id);
  ASSERT_TRUE(pump([&] { return fake_->orders().size() == 1 && rec_.of<OrderStatus>().size(); }));
  fake_->fill(*id, 30, 590);
  ASSERT_TRUE(pump([&] { return rec_.of<Execution>().size() == 1; }));

  // The socket drops; while it is down the rest fills, and TWS restarts with a lower
  // nextValidId than the one already used.
  fake_->drop_client();
  ASSERT_TRUE(pump([&] { return conn_->state() == SessionState::kWaiting; }));
  fake_->fill(*id, 70, 590.10);
  fake_->options().next_valid_id = 3;
  auto refused = conn_->place_order(stock("SPY"), limit_buy("while-down"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);

  ASSERT_TRUE(pump([&] { return ready(); }));
  EXPECT_EQ(fake_->connections(), 2);
  ASSERT_EQ(rec_.reports.size(), 2u);
  const ReconcileReport& rep = rec_.reports[1];
  EXPECT_EQ(rep.session, 2u);
  ASSERT_EQ(rep.missed_executions.size(), 1u);  // the 70 filled while down
  EXPECT_EQ(rep.missed_executions[0].shares, 70);
  EXPECT_EQ(rep.missed_executions[0].order_ref, "keep-1");
  ASSERT_EQ(rep.orders_gone.size(), 1u);  // filled while down: no longer open
  EXPECT_EQ(rep.orders_gone[0].order_ref, "keep-1");
  ASSERT_EQ(rep.position_changes.size(), 1u);
  EXPECT_EQ(rep.position_changes[0].symbol, "SPY");
  EXPECT_EQ(rep.position_changes[0].after, 100);
  // Subscriptions replayed in the new session.
  ASSERT_EQ(fake_->received_with_id(10).size(), 2u);
  EXPECT_EQ(fake_->received_with_id(10)[1].connection, 2);

  // No duplicate: one placeOrder for keep-1 ever, and it cannot be placed again.
  EXPECT_EQ(fake_->received_with_id(3).size(), 1u);
  EXPECT_FALSE(conn_->place_order(stock("SPY"), limit_buy("keep-1")));
  auto next = conn_->place_order(stock("SPY"), limit_buy("after-drop"));
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, *id + 1);  // max(persisted, nextValidId 3)
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(3).size() == 2; }));
  EXPECT_EQ(fake_->received_with_id(3)[1].fields[1], std::to_string(*id + 1));
}

TEST_F(ConnectionTest, ClientIdInUseWaitsAndRetriesTheSameId) {
  fake_->options().client_id_in_use_times = 2;
  auto o = options();
  o.client_id_in_use_wait_ns = 3 * kNsPerSec;
  make(o);
  conn_->start();
  ASSERT_TRUE(pump([&] { return ready(); }));
  EXPECT_EQ(conn_->stats().client_id_in_use, 2u);
  EXPECT_EQ(fake_->connections(), 3);
  auto starts = fake_->received_with_id(71);
  ASSERT_EQ(starts.size(), 3u);
  for (const auto& f : starts) EXPECT_EQ(f.fields[2], "20");
  EXPECT_GE(starts[1].at_ns - starts[0].at_ns, 3 * kNsPerSec);
  EXPECT_GE(starts[2].at_ns - starts[1].at_ns, 3 * kNsPerSec);
}

TEST_F(ConnectionTest, BurstOfRequestsIsPacedUnderFiftyPerSecond) {
  start_ready();
  const std::size_t before = fake_->received().size();
  // 120 market-data lines, 60 cancels-by-resubscription and 20 current-time requests at once.
  for (int i = 0; i < 120; ++i) {
    Subscription s;
    s.kind = SubKind::kMktData;
    s.contract = stock("S" + std::to_string(i));
    ASSERT_TRUE(conn_->subscribe(s));
  }
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        conn_->send([](const Encoder& e, std::string& out) { return e.req_current_time(out); }));
  }
  const std::size_t want = before + 140;
  ASSERT_TRUE(pump([&] { return fake_->received().size() >= want; }));
  std::deque<std::int64_t> window;
  std::size_t worst = 0;
  for (std::size_t i = before; i < fake_->received().size(); ++i) {
    std::int64_t t = fake_->received()[i].at_ns;
    window.push_back(t);
    while (window.front() <= t - kNsPerSec) window.pop_front();
    worst = std::max(worst, window.size());
  }
  RecordProperty("max_per_second", static_cast<int>(worst));
  EXPECT_LE(worst, 50u);
  EXPECT_GE(worst, 40u);
  const std::int64_t span = fake_->received().back().at_ns - fake_->received()[before].at_ns;
  EXPECT_GE(span, 2 * kNsPerSec);  // 140 messages at 45/s cannot leave in under ~3 s
  EXPECT_GT(conn_->pacer().delayed(), 0u);
}

TEST_F(ConnectionTest, WatchdogProbesThenReconnectsWhenUnanswered) {
  auto o = options();
  o.watchdog_ns = 2 * kNsPerSec;
  o.watchdog_reply_ns = 1 * kNsPerSec;
  make(o);
  conn_->start();
  ASSERT_TRUE(pump([&] { return ready(); }));
  // Answered probes keep the session.
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(49).size() == 2; }));
  EXPECT_EQ(fake_->connections(), 1);
  EXPECT_EQ(conn_->stats().watchdog_reconnects, 0u);
  // A gateway that went silent: the probe is not answered.
  fake_->options().answer_current_time = false;
  ASSERT_TRUE(pump([&] { return conn_->stats().watchdog_reconnects == 1; }));
  ASSERT_TRUE(pump([&] { return ready(); }));
  EXPECT_EQ(fake_->connections(), 2);
  EXPECT_NE(conn_->stats().last_error.find("watchdog"), std::string::npos);
}

TEST_F(ConnectionTest, NoOrderInsideTheRestartWindow) {
  auto o = options();
  // 13:55-14:10 UTC around the clock's 14:00.
  ASSERT_TRUE(
      parse_restart_window("13:55-14:10", o.restart_window_start_min, o.restart_window_len_min));
  make(o);
  conn_->start();
  ASSERT_TRUE(pump([&] { return ready(); }));
  auto r = conn_->place_order(stock("SPY"), limit_buy("in-window"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("restart window"), std::string::npos);
  clock_.advance(11 * 60 * kNsPerSec);
  EXPECT_TRUE(conn_->place_order(stock("SPY"), limit_buy("after-window")));
  int s = 0, l = 0;
  EXPECT_TRUE(parse_restart_window("23:45-00:15", s, l));
  EXPECT_EQ(s, 23 * 60 + 45);
  EXPECT_EQ(l, 30);
  EXPECT_FALSE(parse_restart_window("25:00-01:00", s, l));
  EXPECT_FALSE(parse_restart_window("10:00", s, l));
}

TEST_F(ConnectionTest, AnOrderStillQueuedWhenTheSocketDropsIsReportedNotSent) {
  start_ready();
  // Fill the pacer queue so the order waits behind 60 requests.
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(
        conn_->send([](const Encoder& e, std::string& out) { return e.req_current_time(out); }));
  }
  auto id = conn_->place_order(stock("SPY"), limit_buy("queued"));
  ASSERT_TRUE(id);
  settle();
  fake_->drop_client();
  ASSERT_TRUE(pump([&] { return conn_->state() == SessionState::kWaiting; }));
  ASSERT_EQ(rec_.not_sent.size(), 1u);
  EXPECT_EQ(rec_.not_sent[0].first, *id);
  EXPECT_EQ(rec_.not_sent[0].second, "queued");
  EXPECT_TRUE(fake_->received_with_id(3).empty());
  ASSERT_TRUE(pump([&] { return ready(); }));
  auto next = conn_->place_order(stock("SPY"), limit_buy("queued-again"));
  ASSERT_TRUE(next);
  EXPECT_GT(*next, *id);  // the burnt id is not reused
}

TEST_F(ConnectionTest, BadFramesAreSkippedALyingLengthReconnects) {
  start_ready();
  fake_->send("99|1|1|1735740000|38x5.25|7|0|ARCA||");  // garbled price
  fake_->send("77777|1|2|");                            // unknown message id
  fake_->send("49|1|1735740000|");
  ASSERT_TRUE(pump([&] { return rec_.of<CurrentTime>().size() == 1; }));
  EXPECT_EQ(conn_->stats().decode_errors, 1u);
  EXPECT_TRUE(ready());
  fake_->send_raw(std::string("\x7f\xff\xff\xff", 4));  // a length no stream can recover from
  ASSERT_TRUE(pump([&] { return conn_->state() == SessionState::kWaiting; }));
  ASSERT_TRUE(pump([&] { return ready(); }));
  EXPECT_EQ(fake_->connections(), 2);
}

TEST_F(ConnectionTest, ServerBelowTheLowestTestedVersionIsRefused) {
  fake_->options().server_version = 175;
  make(options());
  conn_->start();
  EXPECT_FALSE(pump([&] { return ready(); }, 3000));
  EXPECT_GE(conn_->stats().attempts, 2u);
  EXPECT_NE(conn_->stats().last_error.find("176"), std::string::npos);
  EXPECT_TRUE(fake_->received_with_id(71).empty());
}

TEST_F(ConnectionTest, ReconnectBackoffIsCappedAndJittered) {
  // Nothing listens on this port after the fake is gone.
  auto o = options();
  fake_.reset();
  o.reconnect_initial_ns = 100 * kNsPerMs;
  o.reconnect_max_ns = 800 * kNsPerMs;
  make(o);
  conn_->start();
  std::vector<std::int64_t> gaps;
  std::int64_t last = clock_.mono_ns();
  std::uint64_t attempts = 0;
  for (int i = 0; i < 20000 && gaps.size() < 8; ++i) {
    conn_->do_work();
    if (conn_->stats().attempts != attempts) {
      attempts = conn_->stats().attempts;
      gaps.push_back(clock_.mono_ns() - last);
      last = clock_.mono_ns();
    }
    clock_.advance(kNsPerMs);
  }
  ASSERT_EQ(gaps.size(), 8u);
  for (std::size_t i = 1; i < gaps.size(); ++i) {
    EXPECT_LE(gaps[i], 800 * kNsPerMs + kNsPerMs) << i;
  }
  EXPECT_GE(gaps.back(), 400 * kNsPerMs - kNsPerMs);  // capped at max, jitter at most half
  EXPECT_EQ(conn_->state(), SessionState::kWaiting);
}

}  // namespace
}  // namespace harrier::tws
