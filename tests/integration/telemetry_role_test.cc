// `harrier telemetry` (P3) as a separate process against a private redis-server (issue #5):
// the trailing stop fires exactly once, also across SIGKILL restarts, and resumes with the saved
// best price; the watchdog flags a position nobody opened; bad config exits 2 naming the key.
// These tests write quote:{sym} only (never stream:quote), so every stop here is moved and fired
// by P3's slow fallback poll, as with a P1 that does not publish stream:quote (issue #7).
#include <gtest/gtest.h>

#include <cmath>

#include "arrow/bar_codec.h"
#include "bus/keys.h"
#include "bus/streams.h"
#include "core/text.h"
#include "telemetry_test_util.h"

namespace harrier::telemetry_test {
namespace {

class TelemetryRole : public TelemetrySuite {
 protected:
  // What P1 does: quote:{sym} with a new ts_ns each time.
  void quote(std::string_view sym, double px) {
    ts_ += 10 * kNsPerMs;
    std::string p;
    text::append_double(p, px);
    const std::string ts = std::to_string(ts_);
    cmd({"HSET", bus::keys::quote(sym), "bid", p, "ask", p, "bid_size", "100", "ask_size", "100",
         "last", p, "ts_ns", ts});
  }
  // Sends a quote and waits until P3 has seen it (quotes_polled grew).
  void quote_seen(const Child& p3, std::string_view sym, double px) {
    const double before = counter(p3, "quotes_polled");
    quote(sym, px);
    ASSERT_TRUE(eventually([&] { return counter(p3, "quotes_polled") > before; }))
        << "P3 did not poll the quote " << px;
  }

  TimestampNs ts_ = kMarketStart;
};

TEST_F(TelemetryRole, TrailingStopFiresExactlyOnceAndIsDroppedWhenFlat) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  open_position("SPY", 100, 100.0, kEntryId);
  ASSERT_TRUE(eventually([&] { return stop_field("SPY", "stop_price").has_value(); }));
  EXPECT_DOUBLE_EQ(*stop_field("SPY", "best_price"), 100.0);
  EXPECT_EQ(hget(bus::keys::stop_state("SPY"), "entry_order_id"), std::string(kEntryId));

  for (double px : {100.5, 101.0, 102.0}) {
    quote("SPY", px);
    ASSERT_TRUE(eventually([&] { return stop_field("SPY", "best_price") == px; })) << px;
  }
  const double expected_stop = 102.0 * (1 - 0.5 / 100);  // default stops.trail_pct = 0.5
  EXPECT_NEAR(*stop_field("SPY", "stop_price"), expected_stop, 1e-9);
  quote_seen(*p3, "SPY", 101.6);  // a dip above the stop: nothing fires, best stays
  EXPECT_EQ(xlen("stream:exit_fire"), 0);
  EXPECT_DOUBLE_EQ(*stop_field("SPY", "best_price"), 102.0);

  quote("SPY", 101.4);  // through the stop
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
  auto e = exits();
  ASSERT_EQ(e.size(), 1u);
  auto ev = bus::decode_exit_fire(e[0].fields);
  ASSERT_TRUE(ev) << ev.error().to_string();
  EXPECT_EQ(ev->sym, "SPY");
  EXPECT_EQ(ev->reason, "trailing_stop");
  EXPECT_NEAR(ev->stop_price, expected_stop, 1e-9);
  EXPECT_EQ(ev->trigger_ns, ts_);  // the market time of the quote that crossed
  EXPECT_EQ(cmd({"EXISTS", bus::keys::exit_fired("SPY", kEntryId)}).integer().value(), 1);

  // Lower prices while P2 has not closed yet: still one exit.
  quote("SPY", 100.0);
  quote("SPY", 99.0);
  ASSERT_TRUE(eventually([&] { return counter(*p3, "exits_fired") == 1; }));
  EXPECT_EQ(xlen("stream:exit_fire"), 1);

  // P2 closes the position: the stop goes away.
  ASSERT_TRUE(bus::write_position(*conn_, "SPY", {}));
  ASSERT_TRUE(eventually([&] { return !stop_field("SPY", "stop_price").has_value(); }));
  p3->signal(SIGTERM);
  EXPECT_EQ(p3->wait_exit(5000), 0);
  EXPECT_EQ(xlen("stream:exit_fire"), 1);
}

TEST_F(TelemetryRole, RestartAfterSigkillKeepsTheBestPriceAndStillFiresOnce) {
  auto p3 = start_p3({}, "p3a");
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3a.err"));
  open_position("SPY", 100, 100.0, kEntryId);
  ASSERT_TRUE(eventually([&] { return stop_field("SPY", "stop_price").has_value(); }));
  for (double px : {102.0, 105.0}) {
    quote("SPY", px);
    ASSERT_TRUE(eventually([&] { return stop_field("SPY", "best_price") == px; })) << px;
  }
  p3->signal(SIGKILL);
  ASSERT_EQ(p3->wait_exit(5000), 128 + SIGKILL);

  // While P3 is down the price slips, staying above the stop of 105 * 0.995 = 104.475.
  quote("SPY", 104.6);
  auto p3b = start_p3({}, "p3b");
  ASSERT_TRUE(wait_ready(*p3b)) << read_file(path("p3b.err"));
  ASSERT_TRUE(eventually([&] { return counter(*p3b, "quotes_polled") >= 1; }));
  EXPECT_DOUBLE_EQ(*stop_field("SPY", "best_price"), 105.0);  // resumed, not reset to 100
  EXPECT_EQ(xlen("stream:exit_fire"), 0);
  EXPECT_NE(read_file(path("p3b.err")).find("resumed"), std::string::npos);

  // 104.4 is a hit only for the resumed stop (a fresh one at 100 would sit at 99.5).
  quote("SPY", 104.4);
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));

  // Killed again and restarted with the position still open: no second exit.
  p3b->signal(SIGKILL);
  ASSERT_EQ(p3b->wait_exit(5000), 128 + SIGKILL);
  auto p3c = start_p3({}, "p3c");
  ASSERT_TRUE(wait_ready(*p3c)) << read_file(path("p3c.err"));
  quote("SPY", 103.0);
  ASSERT_TRUE(eventually([&] {
    auto v = heartbeat_of("telemetry", p3c->pid());
    const json::Value* m = v ? v->find("metrics") : nullptr;
    const json::Value* g = m ? m->find("gauges") : nullptr;
    return g && g->number_at("stops_active") == 1;
  }));
  EXPECT_EQ(counter(*p3c, "exits_fired"), 0);
  EXPECT_EQ(xlen("stream:exit_fire"), 1);
  EXPECT_NE(read_file(path("p3c.err")).find("exit already fired"), std::string::npos);
}

TEST_F(TelemetryRole, AtrModeTrailsByTheAtrOfTheBarsInRedisFallbackWithout) {
  // No bars:SPY:1m in Redis: the ATR stop falls back to the percent trail and still guards.
  auto p3 = start_p3({"stops.mode=atr", "stops.trail_pct=1"});
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  open_position("SPY", 100, 50.0, kEntryId);
  ASSERT_TRUE(eventually([&] { return stop_field("SPY", "stop_price").has_value(); }));
  EXPECT_DOUBLE_EQ(*stop_field("SPY", "stop_price"), 49.5);
  EXPECT_EQ(hget(bus::keys::stop_state("SPY"), "mode"), "atr");
  quote("SPY", 49.4);
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
}

TEST_F(TelemetryRole, AtrModeUsesWilderAtrOfTheArrowBarsInRedis) {
  // 20 one-minute bars, each 2.0 from low to high around a flat close: ATR = 2.
  std::vector<Bar> bars(20);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    bars[i].ts = kMarketStart + static_cast<TimestampNs>(i) * 60 * kNsPerSec;
    bars[i].seq = static_cast<std::int64_t>(i);
    bars[i].open = bars[i].close = bars[i].close_filled = 100.0;
    bars[i].high = 101.0;
    bars[i].low = 99.0;
  }
  std::string bytes;
  ASSERT_TRUE(arrow::encode_bars(bars, "SPY", Interval::k1m, bytes));
  cmd({"SET", bus::keys::bars("SPY", Interval::k1m), bytes});
  // Fallback 10% would put the stop at 90; 1.5 x ATR 2 = 3 below the best is tighter.
  auto p3 = start_p3({"stops.mode=atr", "stops.trail_pct=10", "stops.atr_mult=1.5"});
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  open_position("SPY", 100, 100.0, kEntryId);
  ASSERT_TRUE(eventually([&] { return stop_field("SPY", "stop_price") == 97.0; }))
      << stop_field("SPY", "stop_price").value_or(-1);
  quote_seen(*p3, "SPY", 97.5);
  EXPECT_EQ(xlen("stream:exit_fire"), 0);
  quote("SPY", 96.9);
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
  EXPECT_DOUBLE_EQ(bus::decode_exit_fire(exits()[0].fields)->stop_price, 97.0);
}

TEST_F(TelemetryRole, ShortPositionTrailsAboveAndFiresOnTheAsk) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  open_position("QQQ", -50, 200.0, "erc-QQQ-sell-1m-1381152600");
  ASSERT_TRUE(eventually([&] { return stop_field("QQQ", "stop_price").has_value(); }));
  EXPECT_DOUBLE_EQ(*stop_field("QQQ", "stop_price"), 201.0);
  quote("QQQ", 190.0);
  ASSERT_TRUE(eventually([&] { return stop_field("QQQ", "best_price") == 190.0; }));
  quote("QQQ", 191.0);  // stop 190.95
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
  EXPECT_EQ(bus::decode_exit_fire(exits()[0].fields)->sym, "QQQ");
}

TEST_F(TelemetryRole, WatchdogFlagsARoguePositionOnce) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  // A position at the paper broker that no strategy opened.
  cmd({"HSET", bus::keys::paper_positions(), "AAPL", "25"});
  ASSERT_TRUE(eventually([&] { return xlen("stream:alert") >= 1; }));
  auto r = conn_->command({"XRANGE", "stream:alert", "-", "+"});
  ASSERT_TRUE(r);
  auto entries = bus::parse_entries(r->view());
  ASSERT_TRUE(entries);
  auto a = bus::decode_alert((*entries)[0].fields);
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->sym, "AAPL");
  EXPECT_EQ(a->kind, "rogue_position");
  EXPECT_NE(a->detail.find("25"), std::string::npos);
  // Many more watchdog cycles (50 ms each): no second alert for the same mismatch, no flatten.
  ASSERT_TRUE(eventually([&] { return counter(*p3, "alerts") == 1; }));
  ASSERT_TRUE(wait_heartbeat_time(*p3, 400 * kNsPerMs));
  EXPECT_EQ(xlen("stream:alert"), 1);
  EXPECT_EQ(xlen("stream:exit_fire"), 0);
  EXPECT_EQ(counter(*p3, "alerts"), 1);

  // A size mismatch on a position P2 did open is a new alert.
  open_position("SPY", 100, 100.0, kEntryId);
  cmd({"HSET", bus::keys::paper_positions(), "SPY", "300"});
  ASSERT_TRUE(eventually([&] { return xlen("stream:alert") == 2; }));
  r = conn_->command({"XREVRANGE", "stream:alert", "+", "-", "COUNT", "1"});
  entries = bus::parse_entries(r->view());
  EXPECT_EQ(bus::decode_alert((*entries)[0].fields)->kind, "size_mismatch");
}

TEST_F(TelemetryRole, WatchdogFlattenAsksP2ToClose) {
  auto p3 = start_p3({"telemetry.watchdog_flatten=true"});
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  quote("MSFT", 30.0);
  cmd({"HSET", bus::keys::paper_positions(), "MSFT", "10"});
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
  auto ev = bus::decode_exit_fire(exits()[0].fields);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->sym, "MSFT");
  EXPECT_EQ(ev->reason, "watchdog_flatten");
  EXPECT_DOUBLE_EQ(ev->stop_price, 30.0);
  EXPECT_EQ(xlen("stream:alert"), 1);
}

TEST_F(TelemetryRole, SurvivesARedisOutageAndGuardsAfterIt) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  ASSERT_TRUE(server_->kill());
  EXPECT_EQ(p3->wait_exit(500), std::nullopt);  // still running without Redis
  ASSERT_TRUE(server_->restart());
  SetUp();  // a fresh test connection to the restarted (empty) server
  ASSERT_TRUE(wait_ready(*p3, 15000)) << read_file(path("p3.err"));  // heartbeats are back
  EXPECT_GT(counter(*p3, "redis_errors"), 0);
  open_position("SPY", 100, 100.0, kEntryId);
  ASSERT_TRUE(eventually([&] { return stop_field("SPY", "stop_price").has_value(); }, 15000));
  quote("SPY", 99.0);
  ASSERT_TRUE(eventually([&] { return xlen("stream:exit_fire") == 1; }));
  EXPECT_NE(read_file(path("p3.err")).find("unavailable"), std::string::npos);
}

TEST_F(TelemetryRole, BadConfigExitsTwoNamingTheKey) {
  struct Case {
    std::string set, key;
  };
  for (const Case& c : {Case{"stops.mode=nope", "stops.mode"},
                        Case{"telemetry.http=not-an-address", "telemetry.http"},
                        Case{"stops.trail_pct=-1", "stops.trail_pct"},
                        Case{"stops.atr_interval=7m", "stops.atr_interval"}}) {
    Child p({"telemetry", "--redis", server_->unix_url(), "--set", c.set}, path("bad.out"),
            path("bad.err"));
    EXPECT_EQ(p.wait_exit(10000), 2) << c.set;
    EXPECT_NE(read_file(path("bad.err")).find("'" + c.key + "'"), std::string::npos)
        << c.set << ": " << read_file(path("bad.err"));
  }
}

}  // namespace
}  // namespace harrier::telemetry_test
