// Shared set-up for the P3 integration tests: a private redis-server per suite (tests/support,
// flushed before each test), the real `harrier` binary (HARRIER_BINARY) run as a child process
// with its stderr in a file, stopped by pid (SIGTERM or SIGKILL) and reaped, and polling helpers
// with deadlines (no fixed sleeps for things that can be waited on).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bus/connection.h"
#include "bus/events.h"
#include "bus/keys.h"
#include "bus/state.h"
#include "bus/streams.h"
#include "core/text.h"
#include "roles/common/json.h"
#include "support/child_process.h"
#include "support/redis_server.h"
#include "support/redis_suite.h"

namespace harrier::telemetry_test {

inline constexpr std::string_view kEntryId = "erc-SPY-buy-1m-1381152600";
inline constexpr TimestampNs kMarketStart = 1381152600LL * kNsPerSec;  // 2013-10-07 13:30 UTC

// `harrier ARGS...` as a child process (tests/support/child_process.h), stdout and stderr to
// their own files; killed (SIGKILL) and reaped by the destructor if still running.
class Child : public testing::ChildProcess {
 public:
  Child(std::vector<std::string> args, std::string out_path, std::string err_path)
      : ChildProcess(with_binary(std::move(args)), std::move(out_path), std::move(err_path)) {}
  // Exit code (128 + signal when killed), or nullopt if still running after timeout_ms.
  std::optional<int> wait_exit(int timeout_ms) { return wait(timeout_ms); }

 private:
  static std::vector<std::string> with_binary(std::vector<std::string> args) {
    args.insert(args.begin(), HARRIER_BINARY);
    return args;
  }
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using testing::eventually;

// One redis-server for the suite; FLUSHALL before each test; helpers to run P3 against it.
class TelemetrySuite : public harrier::testing::RedisSuite {
 protected:
  void SetUp() override {
    RedisSuite::SetUp();
    bus::ConnectionConfig cfg;
    cfg.url = server_->unix_url();
    conn_ = std::make_unique<bus::Connection>(cfg);
  }

  std::string path(const std::string& name) const { return server_->dir() + "/" + name; }

  // `harrier telemetry` with fast test settings plus `extra` --set values.
  std::unique_ptr<Child> start_p3(const std::vector<std::string>& extra = {},
                                  const std::string& log_name = "p3") {
    std::vector<std::string> args = {"telemetry",
                                     "--redis",
                                     server_->unix_url(),
                                     "--set",
                                     "telemetry.http=",
                                     "--set",
                                     "heartbeat.interval_ms=50",
                                     "--set",
                                     "telemetry.watchdog_interval_ms=50"};
    for (const std::string& e : extra) {
      args.push_back("--set");
      args.push_back(e);
    }
    return std::make_unique<Child>(args, path(log_name + ".out"), path(log_name + ".err"));
  }

  // The heartbeat of `role` when it names `pid`, parsed.
  std::optional<json::Value> heartbeat_of(std::string_view role, pid_t pid) {
    auto hb = bus::read_heartbeat(*conn_, role);
    if (!hb || !*hb) return std::nullopt;
    auto v = json::parse(**hb);
    if (!v || v->number_at("pid") != static_cast<double>(pid)) return std::nullopt;
    return *v;
  }
  bool wait_ready(const Child& c, int timeout_ms = 10000) {
    return eventually([&] { return heartbeat_of("telemetry", c.pid()).has_value(); }, timeout_ms);
  }
  // Waits until P3's heartbeat shows `d` more of its wall time has passed (so that many
  // loop turns and watchdog cycles have run), without sleeping a fixed time.
  bool wait_heartbeat_time(const Child& c, DurationNs d) {
    auto first = heartbeat_of("telemetry", c.pid());
    if (!first) return false;
    const double start = first->number_at("ts_ns").value_or(0);
    return eventually([&] {
      auto v = heartbeat_of("telemetry", c.pid());
      return v && v->number_at("ts_ns").value_or(0) >= start + static_cast<double>(d);
    });
  }
  // A counter from P3's heartbeat (-1 when absent).
  double counter(const Child& c, std::string_view name) {
    auto v = heartbeat_of("telemetry", c.pid());
    if (!v) return -1;
    const json::Value* m = v->find("metrics");
    const json::Value* cs = m ? m->find("counters") : nullptr;
    return cs ? cs->number_at(name).value_or(-1) : -1;
  }

  // Runs one command on the test's connection; fails the test on an error.
  bus::Reply cmd(std::initializer_list<std::string_view> args) {
    auto r = conn_->command(args);
    EXPECT_TRUE(r) << r.error().to_string();
    return std::move(r).value();
  }
  std::int64_t xlen(std::string_view stream) { return cmd({"XLEN", stream}).integer().value(); }
  std::optional<std::string> hget(std::string_view key, std::string_view field) {
    auto r = conn_->command({"HGET", key, field});
    if (!r || r->is_nil()) return std::nullopt;
    return std::string(r->string().value());
  }

  // What P2 does on an entry fill: position:{sym} and an entry_fire entry.
  void open_position(std::string_view sym, std::int64_t qty, double avg, std::string_view id) {
    std::string q = std::to_string(qty), a;
    text::append_double(a, avg);
    ASSERT_TRUE(bus::write_position(*conn_, sym,
                                    {{"qty", q},
                                     {"avg_price", a},
                                     {"entry_order_id", std::string(id)},
                                     {"opened_ns", std::to_string(kMarketStart)},
                                     {"updated_ns", std::to_string(kMarketStart)}}));
    bus::EntryFireEvent e{std::string(sym), qty > 0 ? Side::kBuy : Side::kSell,
                          std::abs(qty),    avg,
                          std::string(id),  kMarketStart};
    ASSERT_TRUE(bus::publish(*conn_, e));
  }
  std::optional<double> stop_field(std::string_view sym, std::string_view field) {
    auto v = hget(bus::keys::stop_state(sym), field);
    if (!v) return std::nullopt;
    return text::parse_double(*v);
  }
  std::vector<bus::StreamEntry> exits() {
    auto r =
        conn_->command({"XRANGE", bus::keys::stream_name(bus::keys::Stream::kExitFire), "-", "+"});
    EXPECT_TRUE(r);
    auto e = bus::parse_entries(r->view());
    EXPECT_TRUE(e);
    return e ? *e : std::vector<bus::StreamEntry>{};
  }

  std::unique_ptr<bus::Connection> conn_;
};

}  // namespace harrier::telemetry_test
