// `harrier up` restarts (issue #6, checks 2 and 3): a role killed with SIGKILL is back within
// 5 s with a new pid and a heartbeat; a hung role (SIGSTOP: alive, heartbeat stale) is killed
// and restarted; a role that exits at once on every start uses up manager.max_restarts, is
// reported failed, the other roles keep running, and the run ends with exit code 1.
#include <gtest/gtest.h>

#include "manager_test_util.h"

namespace harrier::manager_test {
namespace {

// Waits until heartbeat:{role} shows a live pid other than `old_pid`; returns it, or -1.
std::int64_t wait_new_pid(bus::Connection& c, const std::string& role, std::int64_t old_pid,
                          int timeout_ms) {
  std::int64_t pid = -1;
  eventually(
      [&] {
        pid = beat_pid(c, role);
        return pid > 0 && pid != old_pid && pid_alive(static_cast<pid_t>(pid));
      },
      timeout_ms);
  return pid != old_pid && pid > 0 ? pid : -1;
}

TEST(ManagerRestart, EachKilledRoleIsBackWithinFiveSeconds) {
  Up up(temp_dir(), {});
  ASSERT_TRUE(up.all_ready()) << up.out();
  auto conn = connect("unix:" + up.socket());
  for (const char* role : {"ingest", "execute", "telemetry"}) {
    const std::int64_t old_pid = beat_pid(*conn, role);
    ASSERT_GT(old_pid, 0) << role;
    ASSERT_EQ(::kill(static_cast<pid_t>(old_pid), SIGKILL), 0) << role;
    const auto t0 = std::chrono::steady_clock::now();
    const std::int64_t pid = wait_new_pid(*conn, role, old_pid, 5000);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    ASSERT_GT(pid, 0) << role << " not back within 5 s\n" << up.out();
    EXPECT_FALSE(pid_alive(static_cast<pid_t>(old_pid))) << role;
    auto r = manager_role(*conn, role);
    ASSERT_TRUE(eventually([&] {
      r = manager_role(*conn, role);
      return r && r->number_at("restarts").value_or(0) == 1 &&
             r->string_at("state").value_or("") == "running";
    })) << role;
    std::printf("%s back after %lld ms (new pid %lld)\n", role, static_cast<long long>(ms),
                static_cast<long long>(pid));
  }
  // The restarted role got HARRIER_RESTARTS=1 and says so in its heartbeat.
  auto hb = bus::read_heartbeat(*conn, "telemetry");
  ASSERT_TRUE(hb && *hb);
  EXPECT_EQ(json::parse(**hb)->number_at("restarts").value_or(-1), 1);
  EXPECT_EQ(count_lines(up.out(), "died: killed by signal 9"), 3u) << up.out();
  conn.reset();
  up.proc().signal(SIGTERM);
  EXPECT_EQ(up.proc().wait(30000), 0) << up.out();  // restarts within budget: a clean run
}

TEST(ManagerRestart, HungRoleIsKilledAndRestarted) {
  Up up(temp_dir(), {});
  ASSERT_TRUE(up.all_ready()) << up.out();
  auto conn = connect("unix:" + up.socket());
  const std::int64_t old_pid = beat_pid(*conn, "execute");
  ASSERT_GT(old_pid, 0);
  ASSERT_EQ(::kill(static_cast<pid_t>(old_pid), SIGSTOP), 0);  // alive, but no heartbeat
  // Stale after max(5 heartbeats, 2 s), seen at the next health check, then restart_delay.
  const std::int64_t pid = wait_new_pid(*conn, "execute", old_pid, 10000);
  ASSERT_GT(pid, 0) << up.out();
  auto hung = first_line(up.out(), "is hung");
  ASSERT_TRUE(hung) << up.out();
  EXPECT_NE(hung->text.find("execute (pid " + std::to_string(old_pid) + ")"), std::string::npos)
      << hung->text;
  EXPECT_TRUE(eventually([&] { return !pid_alive(static_cast<pid_t>(old_pid)); }));
  conn.reset();
  up.proc().signal(SIGTERM);
  EXPECT_EQ(up.proc().wait(30000), 0) << up.out();
}

TEST(ManagerRestart, RoleFailingAtEveryStartIsReportedAndTheRestKeepRunning) {
  std::vector<std::string> sets = fast_sets();
  sets.push_back("manager.test_role_args=telemetry:--no-such-flag");
  Up up(temp_dir(), {}, sets);
  ASSERT_TRUE(eventually([&] { return first_line(up.out(), "telemetry FAILED").has_value(); },
                         kReadyTimeoutMs))
      << up.out();
  const std::string out = up.out();
  // The first start and max_restarts (5) restarts, each exiting with the usage error (2).
  EXPECT_EQ(count_lines(out, "start telemetry: pid"), 6u) << out;
  EXPECT_EQ(count_lines(out, "telemetry (pid"), 6u) << out;
  EXPECT_EQ(count_lines(out, "died before it was ready: exit code 2"), 6u) << out;
  EXPECT_NE(out.find("--no-such-flag"), std::string::npos);

  // P1 and P2 keep running: their heartbeats keep moving after the failure.
  ASSERT_TRUE(first_line(out, "ingest ready") && first_line(out, "execute ready")) << out;
  auto conn = connect("unix:" + up.socket());
  auto ts = [&](const char* role) {
    auto hb = bus::read_heartbeat(*conn, role);
    return hb && *hb ? json::parse(**hb)->number_at("ts_ns").value_or(0) : 0.0;
  };
  const double ingest_ts = ts("ingest"), execute_ts = ts("execute");
  EXPECT_GT(ingest_ts, 0);
  EXPECT_TRUE(eventually([&] { return ts("ingest") > ingest_ts && ts("execute") > execute_ts; }));
  auto r = manager_role(*conn, "telemetry");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->string_at("state").value_or(""), "failed");
  EXPECT_EQ(r->number_at("restarts").value_or(-1), 5);
  // The status block reports it.
  EXPECT_TRUE(
      eventually([&] { return up.out().find("FAILED after 5 restarts") != std::string::npos; }));
  conn.reset();

  up.proc().signal(SIGTERM);
  EXPECT_EQ(up.proc().wait(30000), 1) << up.out();
  EXPECT_TRUE(first_line(up.out(), "teardown: telemetry not running")) << up.out();
  EXPECT_TRUE(first_line(up.out(), "teardown: done; exit code 1")) << up.out();
}

}  // namespace
}  // namespace harrier::manager_test
