// P1 `harrier ingest --set feed.kind=ib` as a separate process against the protocol-level fake
// TWS on a free loopback port (no live TWS is reachable here) and a real redis-server: a few
// seconds of scripted tick-by-tick trades and quotes stamped with the current second become
// sealed bars in Redis (read back through Arrow), a crossed quote is rejected and counted.
#include <gtest/gtest.h>
#include <signal.h>

#include <fmt/format.h>

#include <map>

#include "arrow/bar_codec.h"
#include "bus/bar_store.h"
#include "bus/connection.h"
#include "bus/keys.h"
#include "bus/state.h"
#include "bus/streams.h"
#include "ib_fake_thread.h"
#include "support/child_process.h"
#include "support/redis_server.h"

namespace harrier {
namespace {

using testing::ChildProcess;
using testing::eventually;
using testing::RedisServer;

constexpr int kTicks = 80;  // one trade and one quote every 50 ms: 4 s

// Streams ticks on the newest AllLast / BidAsk subscriptions of the current connection.
struct TickScript {
  std::atomic<int> sent{0};
  std::atomic<bool> subscribed{false};
  std::chrono::steady_clock::time_point next{};
  void operator()(tws::testing::FakeTws& f) {
    std::string trades, quotes;
    for (const auto& fr : f.received_with_id(97)) {
      if (fr.connection != f.connections() || fr.fields.size() < 15) continue;
      (fr.fields[14] == "AllLast" ? trades : quotes) = fr.fields[1];
    }
    if (trades.empty() || quotes.empty() || !f.session_up()) return;
    subscribed = true;
    const auto now = std::chrono::steady_clock::now();
    if (sent >= kTicks || now < next) return;
    next = now + std::chrono::milliseconds(50);
    const std::int64_t t = SystemClock::instance().now_ns() / kNsPerSec;
    const int n = sent.fetch_add(1);
    const double px = 590.0 + 0.01 * (n % 20);
    f.send(fmt::format("99|{}|2|{}|{:.2f}|{}|0|ARCA||", trades, t, px, 100 + n));
    if (n == 10) {  // crossed: rejected by the feed, counted in ticks_rejected
      f.send(fmt::format("99|{}|3|{}|{:.2f}|{:.2f}|100|100|0|", quotes, t, px + 0.05, px));
    } else {
      f.send(fmt::format("99|{}|3|{}|{:.2f}|{:.2f}|300|200|0|", quotes, t, px - 0.01, px + 0.01));
    }
  }
};

TEST(IbIngest, ScriptedTwsTicksBecomeBarsInRedis) {
  auto r = RedisServer::start();
  ASSERT_TRUE(r) << r.error().to_string();
  auto redis = std::move(r).value();
  bus::ConnectionConfig cc;
  cc.url = redis->url();
  bus::Connection conn(cc);

  auto script = std::make_shared<TickScript>();
  ib_test::FakeTwsThread tws([script](tws::testing::FakeTws& f) { (*script)(f); });
  ASSERT_TRUE(tws.started());
  ChildProcess p1({HARRIER_BINARY, "ingest", "--set", "redis.url=" + redis->url(), "--set",
                   "feed.kind=ib", "--set", "feed.symbols=SPY", "--set",
                   "ib.port=" + std::to_string(tws.port()), "--set", "heartbeat.interval_ms=100"},
                  redis->dir() + "/ingest.log");

  ASSERT_TRUE(eventually([&] { return script->subscribed.load() || !p1.running(); }, 15000))
      << p1.output();
  ASSERT_TRUE(p1.running()) << p1.output();
  // Bars of at least three full seconds sealed on 1 s (the grace is 250 ms).
  std::vector<bus::NewBarEvent> one_s;
  ASSERT_TRUE(eventually(
      [&] {
        one_s.clear();
        auto range = conn.command({"XRANGE", "stream:new_bar", "-", "+"});
        if (!range) return false;
        auto entries = bus::parse_entries(range->view());
        if (!entries) return false;
        for (const auto& e : *entries) {
          auto ev = bus::decode_new_bar(e.fields);
          if (ev && ev->sym == "SPY" && ev->iv == Interval::k1s) one_s.push_back(*ev);
        }
        return one_s.size() >= 3 || !p1.running();
      },
      20000))
      << p1.output();
  ASSERT_TRUE(p1.running()) << p1.output();

  // Live timestamps: the bars are from the last minute, not from a recorded day.
  const TimestampNs now = SystemClock::instance().now_ns();
  for (const auto& ev : one_s) {
    EXPECT_GT(ev.bar_start_ns, now - 60 * kNsPerSec);
    EXPECT_LE(ev.bar_start_ns, now);
  }
  auto bytes = bus::read_interval(conn, "SPY", Interval::k1s);
  ASSERT_TRUE(bytes && bytes->has_value());
  const std::string& raw = **bytes;
  auto span = std::span(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
  auto bars = arrow::decode_bars(span);
  ASSERT_TRUE(bars) << bars.error().to_string();
  ASSERT_GE(bars->size(), 3u);
  std::int64_t volume = 0;
  for (const Bar& b : *bars) {
    volume += static_cast<std::int64_t>(b.volume);
    if (b.trade_count == 0) continue;  // a quiet second carried forward
    EXPECT_GE(b.low, 590.0);
    EXPECT_LE(b.high, 590.2);
  }
  EXPECT_GT(volume, 0);

  ASSERT_TRUE(eventually([&] { return script->sent.load() >= kTicks; }, 20000));
  // Every tick sent reached the feed: kTicks trades + kTicks - 1 quotes in, one quote rejected.
  std::string hb;
  EXPECT_TRUE(eventually(
      [&] {
        auto h = bus::read_heartbeat(conn, "ingest");
        hb = h && h->has_value() ? **h : "";
        return hb.find("\"ticks_in\":" + std::to_string(2 * kTicks - 1)) != std::string::npos;
      },
      10000))
      << hb;
  EXPECT_NE(hb.find("\"ticks_rejected\":1"), std::string::npos) << hb;

  p1.signal(SIGTERM);
  EXPECT_EQ(p1.wait(20000), 0) << p1.output();
  tws.stop();
  // P1 connected as ib.client_id_ingest (18).
  auto starts = tws.fake().received_with_id(71);
  ASSERT_FALSE(starts.empty());
  EXPECT_EQ(starts[0].fields[2], "18");
}

}  // namespace
}  // namespace harrier
