// Shared set-up for the P2 integration tests (tests/integration/execute_*_test.cc): a private
// redis-server per suite (tests/support, flushed before each test), the real `harrier execute`
// binary run as a separate process (stopped by pid), and helpers that write seals with real
// Arrow bytes so the example strategy's gates pass or fail on purpose. Waiting is polling with
// a deadline, never a fixed sleep.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "arrow/bar_codec.h"
#include "bus/bar_store.h"
#include "bus/connection.h"
#include "bus/keys.h"
#include "bus/state.h"
#include "bus/streams.h"
#include "core/text.h"
#include "roles/common/json.h"
#include "support/child_process.h"
#include "support/redis_server.h"
#include "support/redis_suite.h"

namespace harrier::execute_test {

// 2013-10-07 13:30:00 UTC, the open of the SPY day in tests/data.
inline constexpr TimestampNs kOpen = 1381152600LL * kNsPerSec;
inline constexpr TimestampNs kMinute = 60 * kNsPerSec;

using testing::eventually;

// A child process (tests/support/child_process.h): stdout and stderr to `log_path`, killed
// (SIGKILL) and reaped by the destructor if still running, dying with the test.
class Process : public testing::ChildProcess {
 public:
  using ChildProcess::ChildProcess;
  // SIGTERM and the exit code (-1 when it did not exit normally in time).
  int terminate(int timeout_ms = 5000) {
    signal(SIGTERM);
    auto code = wait(timeout_ms);
    return code && *code < 128 ? *code : -1;
  }
  std::string log() const { return output(); }
};

// A window of `n` bars of `iv` whose last bar starts at `last_start`, with the given
// indicators on the last bar (earlier bars have the opposite EMA order, so only the last one
// can make a gate pass).
inline std::vector<Bar> bars(Interval iv, TimestampNs last_start, double ema9, double ema21,
                             double rsi, int n = 5) {
  std::vector<Bar> out(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    Bar& b = out[static_cast<std::size_t>(i)];
    b.ts = last_start - static_cast<TimestampNs>(n - 1 - i) * interval_ns(iv);
    b.seq = i;
    b.open = b.high = b.low = b.close = b.close_filled = 100;
    b.volume = 1000;
    b.trade_count = 10;
    b.ema9 = ema21 - 0.5;
    b.ema21 = ema21;
    b.rsi14 = 40;
  }
  out.back().ema9 = ema9;
  out.back().rsi14 = rsi;
  return out;
}

struct Gates {
  double ema9_1m = 100.2, ema21_1m = 100.0, rsi = 60;
  double ema9_5m = 100.3, ema21_5m = 100.0;
  double bid = 100.00, ask = 100.01, size = 500;
  DurationNs quote_age = 500 * kNsPerMs;  // before the 1m bar's end
};

class ExecuteSuite : public harrier::testing::RedisSuite {
 protected:
  void SetUp() override {
    RedisSuite::SetUp();
    bus::ConnectionConfig cfg;
    cfg.url = server_->url();
    conn_ = std::make_unique<bus::Connection>(cfg);
  }
  void TearDown() override {
    if (::testing::Test::HasFailure()) {
      for (const auto& p : procs_) std::fprintf(stderr, "---- P2 log ----\n%s\n", p->log().c_str());
    }
    procs_.clear();
  }

  // Starts `harrier execute` against the suite's Redis with the given --set overrides (after
  // the test defaults) and waits for its first heartbeat.
  Process& start_p2(const std::vector<std::string>& sets = {}, bool wait_ready = true) {
    std::vector<std::string> argv = {HARRIER_BINARY, "execute", "--redis", server_->url()};
    std::vector<std::string> all = {"heartbeat.interval_ms=50", "log.level=debug"};
    all.insert(all.end(), sets.begin(), sets.end());
    for (const auto& s : all) {
      argv.push_back("--set");
      argv.push_back(s);
    }
    const std::string log = server_->dir() + "/p2-" + std::to_string(procs_.size()) + ".log";
    (void)command({"DEL", bus::keys::heartbeat("execute")});
    procs_.push_back(std::make_unique<Process>(argv, log));
    Process& p = *procs_.back();
    if (wait_ready) {
      EXPECT_TRUE(eventually([&] { return heartbeat().has_value() || p.wait(0).has_value(); }));
      EXPECT_TRUE(heartbeat().has_value()) << p.log();
    }
    return p;
  }

  Result<bus::Reply> command(std::initializer_list<std::string_view> args) {
    return conn_->command(args);
  }

  // Writes the 5m seal, then the 1m trigger seal (bar starting at `bar`) of `sym`.
  void write_seals(const std::string& sym, TimestampNs bar, const Gates& g = {}) {
    write_context_seal(sym, bar, g);
    write_trigger_seal(sym, bar, g);
  }
  // The 5m seal whose last bar ends at or before the end of the 1m bar starting at `bar`.
  void write_context_seal(const std::string& sym, TimestampNs bar, const Gates& g = {}) {
    TimestampNs five = bar_start(bar, Interval::k5m);
    if (five + interval_ns(Interval::k5m) > bar + kMinute) five -= interval_ns(Interval::k5m);
    write_seal(sym, Interval::k5m, bars(Interval::k5m, five, g.ema9_5m, g.ema21_5m, 55),
               quote(bar, g));
  }
  void write_trigger_seal(const std::string& sym, TimestampNs bar, const Gates& g = {}) {
    write_seal(sym, Interval::k1m, bars(Interval::k1m, bar, g.ema9_1m, g.ema21_1m, g.rsi),
               quote(bar, g));
  }
  static bus::QuoteSnapshot quote(TimestampNs bar, const Gates& g) {
    bus::QuoteSnapshot q;
    q.bid = g.bid;
    q.ask = g.ask;
    q.bid_size = g.size;
    q.ask_size = g.size;
    q.last = (g.bid + g.ask) / 2;
    q.ts_ns = bar + kMinute - g.quote_age;
    return q;
  }
  void write_seal(const std::string& sym, Interval iv, const std::vector<Bar>& window,
                  const bus::QuoteSnapshot& q) {
    bus::Seal s;
    s.sym = sym;
    s.iv = iv;
    s.bar_start_ns = window.back().ts;
    s.seq = window.back().seq;
    s.sealed_ns = SystemClock::instance().now_ns();
    ASSERT_TRUE(arrow::encode_bars(window, sym, iv, s.bars));
    s.quote = q;
    auto st = bus::write_seal(*conn_, s);
    ASSERT_TRUE(st) << st.error().to_string();
  }

  std::optional<bus::Fields> hash(const std::string& key) {
    auto h = bus::read_hash(*conn_, key);
    EXPECT_TRUE(h) << h.error().to_string();
    return h ? *h : std::nullopt;
  }
  std::string hget(const std::string& key, std::string_view field) {
    auto h = hash(key);
    if (!h) return "";
    for (const auto& [k, v] : *h) {
      if (k == field) return v;
    }
    return "";
  }
  std::vector<std::string> keys(std::string_view pattern) {
    std::vector<std::string> out;
    auto r = command({"KEYS", pattern});
    EXPECT_TRUE(r);
    if (!r) return out;
    for (std::size_t i = 0; i < r->size(); ++i) out.emplace_back(*r->at(i).string());
    return out;
  }
  std::vector<bus::StreamEntry> range(bus::keys::Stream s) {
    auto r = command({"XRANGE", bus::keys::stream_name(s), "-", "+"});
    EXPECT_TRUE(r);
    if (!r) return {};
    auto e = bus::parse_entries(r->view());
    EXPECT_TRUE(e);
    return e ? *e : std::vector<bus::StreamEntry>{};
  }
  // Entries of stream:new_bar (or exit_fire) delivered to group execute and not acknowledged.
  std::int64_t pending(bus::keys::Stream s) {
    auto r = command({"XPENDING", bus::keys::stream_name(s), "execute"});
    if (!r || r->size() == 0) return -1;
    auto n = r->at(0).integer();
    return n ? *n : -1;
  }
  std::optional<std::string> heartbeat() {
    auto h = bus::read_heartbeat(*conn_, "execute");
    return h ? *h : std::nullopt;
  }
  // A counter of P2's latest heartbeat (-1 when absent).
  double metric(std::string_view name) {
    auto hb = heartbeat();
    if (!hb) return -1;
    auto v = json::parse(*hb);
    if (!v) return -1;
    const json::Value* m = v->find("metrics");
    const json::Value* c = m ? m->find("counters") : nullptr;
    auto n = c ? c->number_at(name) : std::nullopt;
    return n.value_or(-1);
  }
  // How many values a histogram of P2's latest heartbeat holds (-1 when absent).
  double histogram_n(std::string_view name) { return histogram_field(name, "n"); }
  // A field ("n", "p50", "max", ...) of a histogram of P2's latest heartbeat (-1 when absent).
  double histogram_field(std::string_view name, std::string_view field) {
    auto hb = heartbeat();
    if (!hb) return -1;
    auto v = json::parse(*hb);
    if (!v) return -1;
    const json::Value* m = v->find("metrics");
    const json::Value* hs = m ? m->find("histograms") : nullptr;
    const json::Value* h = hs ? hs->find(name) : nullptr;
    auto n = h ? h->number_at(field) : std::nullopt;
    return n.value_or(-1);
  }
  void exit_fire(const std::string& sym, const std::string& reason, TimestampNs trigger_ns) {
    auto id = bus::publish(*conn_, bus::ExitFireEvent{sym, reason, 99.0, trigger_ns});
    ASSERT_TRUE(id) << id.error().to_string();
  }

  std::unique_ptr<bus::Connection> conn_;
  std::vector<std::unique_ptr<Process>> procs_;
};

}  // namespace harrier::execute_test
