// Issue #6, what must show 2, the money path: under `harrier up`, P2 is killed with SIGKILL
// while a position is open; P3 keeps guarding it and fires the trailing stop while P2 is
// down; when the manager has brought P2 back, P2 executes that exit. At the end every sealed
// bar was acknowledged by P2's group, every entry has exactly one exit order, and the position
// and the paper account are flat. The price path is tests/fixtures/roles/stop_path.csv.
#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "bus/connection.h"
#include "bus/keys.h"
#include "bus/state.h"
#include "bus/streams.h"
#include "roles/common/json.h"
#include "support/child_process.h"

namespace harrier {
namespace {

using testing::ChildProcess;
using testing::eventually;

TEST(ManagerP2Down, StopFiredWhileP2IsDownIsExecutedWhenItReturns) {
  char tmpl[] = "/tmp/harrier_p2d_XXXXXX";  // short: the socket path must fit 108 bytes
  const std::string dir = mkdtemp(tmpl);
  const std::string run = dir + "/run";
  ChildProcess up(
      {HARRIER_BINARY,
       "up",
       "--run-dir",
       run,
       "--keep-data",
       "--set",
       "feed.kind=replay",
       "--set",
       "feed.path=" + std::string(HARRIER_SOURCE_DIR) + "/tests/fixtures/roles/stop_path.csv",
       "--set",
       "feed.speed=1",
       "--set",
       "strategy.trigger=1s",
       "--set",
       "strategy.intervals=1s",
       "--set",
       "strategy.rsi_min=0",
       "--set",
       "strategy.rsi_max=100",
       "--set",
       "strategy.max_spread_bps=100",
       "--set",
       "stops.trail_pct=0.5",
       "--set",
       "telemetry.http=",
       "--set",
       "heartbeat.interval_ms=100",
       "--set",
       "manager.stagger_ms=200",
       "--set",
       "manager.health_interval_ms=200",
       "--set",
       "manager.restart_delay_ms=7000",
       "--set",
       "manager.status_interval_s=0"},
      dir + "/up.log");

  bus::ConnectionConfig cfg;
  cfg.url = "unix:" + run + "/redis.sock";
  bus::Connection c(cfg);
  auto execute_pid = [&]() -> std::int64_t {
    auto hb = bus::read_heartbeat(c, "execute");
    if (!hb || !hb->has_value()) return 0;
    auto v = json::parse(**hb);
    return v ? static_cast<std::int64_t>(v->number_at("pid").value_or(0)) : 0;
  };
  auto position_open = [&] {
    auto p = bus::read_position(c, "TST");
    return p && p->has_value();
  };
  auto xlen = [&](bus::keys::Stream s) -> std::int64_t {
    auto n = c.command({"XLEN", bus::keys::stream_name(s)});
    return n ? n->integer().value_or(0) : 0;
  };

  // An entry on the way up; P2 is killed near the top (ask 100.85 of 101.00), so that it is
  // still away (restart delay 7 s) when the price falls through the stop.
  ASSERT_TRUE(eventually(position_open, 30000)) << up.output();
  ASSERT_TRUE(eventually(
      [&] {
        auto q = bus::read_hash(c, bus::keys::quote("TST"));
        if (!q || !q->has_value()) return false;
        for (const auto& [f, v] : **q) {
          if (f == "ask") return std::stod(v) >= 100.85;
        }
        return false;
      },
      30000));
  const std::int64_t first_pid = execute_pid();
  ASSERT_GT(first_pid, 0);
  ASSERT_EQ(xlen(bus::keys::Stream::kExitFire), 0) << "the stop fired before P2 was killed";
  ASSERT_EQ(::kill(static_cast<pid_t>(first_pid), SIGKILL), 0);

  // P3 fires the stop while P2 is down: no new P2 has written a heartbeat yet.
  std::int64_t pid_at_exit = -1;
  ASSERT_TRUE(eventually(
      [&] {
        if (xlen(bus::keys::Stream::kExitFire) == 0) return false;
        pid_at_exit = execute_pid();
        return true;
      },
      30000))
      << up.output();
  EXPECT_TRUE(pid_at_exit == first_pid || pid_at_exit == 0)
      << "P2 was already back (pid " << pid_at_exit << ") when the stop fired";
  EXPECT_TRUE(position_open()) << "the position closed while P2 was down";

  // P2 returns and executes the exit: flat, one exit order per entry.
  ASSERT_TRUE(eventually([&] { return execute_pid() > 0 && execute_pid() != first_pid; }, 20000))
      << up.output();
  ASSERT_TRUE(eventually(
      [&] {
        auto paper = bus::read_hash(c, bus::keys::paper_positions());
        bool paper_flat = !paper || !paper->has_value() ||
                          std::none_of((*paper)->begin(), (*paper)->end(),
                                       [](const auto& f) { return f.first == "TST"; });
        return !position_open() && paper_flat;
      },
      20000))
      << up.output();
  ASSERT_TRUE(
      eventually([&] { return up.output().find("feed finished") != std::string::npos; }, 30000));

  std::set<std::string> entries, exits;
  auto keys = c.command({"KEYS", "order:*"});
  ASSERT_TRUE(keys);
  for (std::size_t i = 0; i < keys->size(); ++i) {
    std::string k(*keys->at(i).string());
    auto o = bus::read_hash(c, k);
    ASSERT_TRUE(o && o->has_value());
    std::string purpose, state;
    for (const auto& [f, v] : **o) {
      if (f == "purpose") purpose = v;
      if (f == "state") state = v;
    }
    (purpose == "entry" ? entries : exits).insert(k.substr(6));
    EXPECT_EQ(state, "filled") << k;
  }
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(exits.size(), entries.size());
  for (const std::string& id : entries) EXPECT_EQ(exits.count("x-" + id), 1u) << id;

  // Every sealed bar delivered to and acknowledged by the execute group, once.
  ASSERT_TRUE(eventually(
      [&] {
        auto g = c.command({"XINFO", "GROUPS", "stream:new_bar"});
        auto last = c.command({"XREVRANGE", "stream:new_bar", "+", "-", "COUNT", "1"});
        if (!g || g->size() != 1 || !last) return false;
        auto e = bus::parse_entries(last->view());
        if (!e || e->empty()) return false;
        std::string pending, delivered;
        auto group = g->at(0);
        for (std::size_t i = 0; i + 1 < group.size(); i += 2) {
          std::string k(group.at(i).text());
          if (k == "pending") pending = std::to_string(group.at(i + 1).integer().value_or(-1));
          if (k == "last-delivered-id") delivered = std::string(group.at(i + 1).text());
        }
        return pending == "0" && delivered == (*e)[0].id;
      },
      20000));

  up.signal(SIGTERM);
  EXPECT_EQ(up.wait(30000), 0) << up.output();
}

}  // namespace
}  // namespace harrier
