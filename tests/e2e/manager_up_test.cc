// `harrier up` end to end (issue #6, checks 1): the whole system on the real SPY replay comes up
// (private Redis, P1, P2, P3 ready), and a SIGTERM tears it down in the order P3, P2, P1, then
// the session keys, then the private Redis, with exit code 0 and nothing left running. With
// redis.url set it uses that Redis and removes (or, with --keep-data, keeps) the session keys.
// A second signal forces: everything is killed at once and the exit code is 1.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "bus/keys.h"
#include "manager_test_util.h"
#include "support/redis_server.h"

namespace harrier::manager_test {
namespace {

// The teardown lines in the order they must appear, each at or after the previous one.
void expect_teardown_order(const std::string& out, const std::string& keys_line) {
  const std::vector<std::string> steps = {"teardown: begin",          "teardown: SIGTERM telemetry",
                                          "teardown: telemetry (pid", "teardown: SIGTERM execute",
                                          "teardown: execute (pid",   "teardown: SIGTERM ingest",
                                          "teardown: ingest (pid",    keys_line};
  std::optional<ManagerLine> prev;
  for (const std::string& s : steps) {
    auto m = first_line(out, s);
    ASSERT_TRUE(m) << "no line '" << s << "' in:\n" << out;
    if (prev) {
      EXPECT_GE(m->ts_ms, prev->ts_ms) << s << " stamped before " << prev->text;
      EXPECT_GT(m->index, prev->index) << s << " logged before " << prev->text;
    }
    prev = m;
  }
  for (const char* role : {"telemetry", "execute", "ingest"}) {
    auto stopped = first_line(out, std::string("teardown: ") + role + " (pid");
    ASSERT_TRUE(stopped);
    EXPECT_NE(stopped->text.find("stopped: exit code 0"), std::string::npos) << stopped->text;
  }
}

TEST(ManagerUp, PrivateRedisReadyThenOrderedTeardown) {
  const std::string dir = temp_dir();
  Up up(dir, {});
  ASSERT_TRUE(up.all_ready()) << up.out();
  auto redis_line = first_line(up.out(), "private Redis: pid ");
  ASSERT_TRUE(redis_line) << up.out();
  const pid_t redis_pid = static_cast<pid_t>(number_after(redis_line->text, "pid "));
  ASSERT_TRUE(pid_alive(redis_pid));
  ASSERT_TRUE(exists(up.socket()));

  // The roles run on the private Redis: bars arrive, and heartbeat:manager lists every role.
  auto conn = connect("unix:" + up.socket());
  ASSERT_TRUE(eventually(
      [&] {
        auto n = conn->command({"XLEN", bus::keys::stream_name(bus::keys::Stream::kNewBar)});
        return n && n->integer().value_or(0) > 0;
      },
      20000))
      << up.out();
  std::vector<pid_t> pids;
  for (const char* role : {"ingest", "execute", "telemetry"}) {
    std::optional<json::Value> r;
    ASSERT_TRUE(eventually([&] {
      r = manager_role(*conn, role);
      return r && r->string_at("state").value_or("") == "running";
    })) << role;
    const auto pid = static_cast<pid_t>(r->number_at("pid").value_or(-1));
    EXPECT_EQ(pid, beat_pid(*conn, role)) << role;
    EXPECT_TRUE(pid_alive(pid)) << role;
    pids.push_back(pid);
  }
  // The status block (telemetry's format_status) reaches the console.
  ASSERT_TRUE(eventually([&] { return up.out().find("STREAM") != std::string::npos; }, 5000));
  // Each source has its log file in the run directory.
  for (const char* f : {"manager", "ingest", "execute", "telemetry"}) {
    EXPECT_TRUE(exists(up.run_dir() + "/logs/" + f + ".log")) << f;
  }
  conn.reset();

  up.proc().signal(SIGTERM);
  ASSERT_EQ(up.proc().wait(30000), 0) << up.out();
  const std::string out = up.out();
  expect_teardown_order(out, "teardown: removed ");
  auto removed = first_line(out, "teardown: removed ");
  EXPECT_GT(number_after(removed->text, "removed "), 0) << removed->text;
  auto redis_stop = first_line(out, "teardown: private Redis (pid");
  ASSERT_TRUE(redis_stop) << out;
  EXPECT_GT(redis_stop->index, removed->index);
  for (pid_t pid : pids) EXPECT_FALSE(pid_alive(pid)) << "role pid " << pid << " left running";
  EXPECT_FALSE(pid_alive(redis_pid)) << "private Redis left running";
  EXPECT_FALSE(exists(up.socket())) << "Redis socket left behind";
}

TEST(ManagerUp, SecondSignalForces) {
  Up up(temp_dir(), {});
  ASSERT_TRUE(up.all_ready()) << up.out();
  auto redis_line = first_line(up.out(), "private Redis: pid ");
  ASSERT_TRUE(redis_line);
  std::vector<pid_t> pids = {static_cast<pid_t>(number_after(redis_line->text, "pid "))};
  for (const char* role : {"ingest", "execute", "telemetry"}) {
    auto start = first_line(up.out(), std::string("start ") + role + ": pid ");
    ASSERT_TRUE(start) << role;
    pids.push_back(static_cast<pid_t>(number_after(start->text, "pid ")));
  }
  // P3 is frozen, so the orderly teardown waits out its grace (3 s) and the second Ctrl-C
  // finds it still running.
  ASSERT_EQ(::kill(pids[3], SIGSTOP), 0);
  up.proc().signal(SIGINT);
  // The second Ctrl-C, at a person's pace: one signal delivered twice within 100 ms (to the
  // process and its group, as `timeout` does) counts once.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  up.proc().signal(SIGINT);
  ASSERT_EQ(up.proc().wait(30000), 1) << up.out();
  EXPECT_TRUE(first_line(up.out(), "second signal: SIGKILL")) << up.out();
  for (pid_t pid : pids) EXPECT_FALSE(pid_alive(pid)) << "pid " << pid << " left running";
  EXPECT_FALSE(exists(up.socket()));
}

class ManagerUpExternalRedis : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = testing::RedisServer::start();
    ASSERT_TRUE(r) << r.error().to_string();
    redis_ = std::move(r).value();
    conn_ = connect(redis_->url());
    // Not a Harrier key: teardown must leave it alone.
    ASSERT_TRUE(conn_->command({"SET", "operator:note", "keep me"}));
  }

  // Runs `harrier up --redis URL EXTRA...` until bars are in Redis, then SIGTERM; exit code 0.
  std::string run_until_bars(std::vector<std::string> extra) {
    extra.insert(extra.begin(), {"--redis", redis_->url()});
    Up up(temp_dir(), extra);
    EXPECT_TRUE(up.all_ready()) << up.out();
    EXPECT_TRUE(eventually(
        [&] {
          return conn_->command({"EXISTS", "bars:SPY:1s"})->integer().value_or(0) == 1;
        },
        20000))
        << up.out();
    EXPECT_FALSE(exists(up.socket())) << "a private Redis was started although redis.url is set";
    up.proc().signal(SIGTERM);
    EXPECT_EQ(up.proc().wait(30000), 0) << up.out();
    return up.out();
  }

  std::int64_t session_keys() {
    std::int64_t n = 0;
    for (std::string_view pattern : bus::keys::session_key_patterns()) {
      auto keys = conn_->command({"KEYS", pattern});
      if (keys) n += static_cast<std::int64_t>(keys->size());
    }
    return n;
  }

  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<bus::Connection> conn_;
};

TEST_F(ManagerUpExternalRedis, RemovesTheSessionKeysOnly) {
  const std::string out = run_until_bars({});
  expect_teardown_order(out, "teardown: removed ");
  EXPECT_EQ(session_keys(), 0);
  auto note = conn_->command({"GET", "operator:note"});
  ASSERT_TRUE(note);
  EXPECT_EQ(note->string().value_or(""), "keep me");
  EXPECT_TRUE(redis_->running()) << "harrier up stopped a Redis it did not start";
}

TEST_F(ManagerUpExternalRedis, KeepDataKeepsTheSessionKeys) {
  const std::string out = run_until_bars({"--keep-data"});
  expect_teardown_order(out, "teardown: session keys kept");
  EXPECT_GT(session_keys(), 0);
  auto bars = conn_->command({"EXISTS", "bars:SPY:1s"});
  ASSERT_TRUE(bars);
  EXPECT_EQ(bars->integer().value_or(0), 1);
}

}  // namespace
}  // namespace harrier::manager_test
