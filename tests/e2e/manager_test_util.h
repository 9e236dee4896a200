// Shared set-up for the `harrier up` end-to-end tests (issue #6): the real binary
// (HARRIER_BINARY) run as a ChildProcess with a fresh run directory, short timings through
// --set so each run takes seconds, the bundled SPY day as the replay, and readers for what the
// tests assert on: the manager's time-stamped console lines and the Redis it runs on.
#pragma once

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bus/connection.h"
#include "bus/state.h"
#include "roles/common/json.h"
#include "support/child_process.h"

namespace harrier::manager_test {

using testing::ChildProcess;
using testing::eventually;

inline const std::string kData = std::string(HARRIER_SOURCE_DIR) + "/tests/data/equity_us/spy/";
inline const std::string kTrades = kData + "tick/spy_20131007_trades.csv.zst";
inline const std::string kQuotes = kData + "second/spy_20131007_quotes_1s.csv.zst";

// Generous under ASan on a loaded 2-CPU machine; a healthy run is ready in a few seconds.
inline constexpr int kReadyTimeoutMs = 30000;

inline std::string temp_dir() {
  char tmpl[] = "/tmp/harrier_up_XXXXXX";  // short: the Redis socket path must fit 108 bytes
  const char* d = ::mkdtemp(tmpl);
  return d ? d : "/tmp";
}

inline bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// True while a process with this pid exists (a zombie counts: it has not been reaped).
inline bool pid_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// The `--set` list every test run uses: fast timings, the replay, no HTTP port.
inline std::vector<std::string> fast_sets() {
  return {"manager.stagger_ms=200",
          "manager.health_interval_ms=200",
          "manager.restart_delay_ms=300",
          "manager.stop_grace_ms=3000",
          "manager.status_interval_s=1",
          "heartbeat.interval_ms=100",
          "telemetry.http=",
          "feed.kind=replay",
          "feed.path=" + kTrades + ",SPY=" + kQuotes,
          "feed.from=2013-10-07T09:30:00-04:00",
          "feed.to=2013-10-07T10:30:00-04:00",
          "feed.speed=30"};
}

// One line of the manager's own on the console, with its time stamp in ms since the epoch.
struct ManagerLine {
  std::int64_t ts_ms = 0;
  std::size_t index = 0;  // position among the manager's lines
  std::string text;       // after "manager/up: "
};

// "manager   | 2026-01-05T14:30:00.123Z info  manager/up: text" lines of `out`, in order.
inline std::vector<ManagerLine> manager_lines(const std::string& out) {
  std::vector<ManagerLine> lines;
  std::istringstream in(out);
  std::string line;
  const std::string prefix = "manager   | ";
  const std::string tag = "manager/up: ";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    const std::size_t at = line.find(tag);
    if (at == std::string::npos || line.size() < prefix.size() + 24) continue;
    std::tm tm{};
    const std::string ts = line.substr(prefix.size(), 24);
    if (::strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) continue;
    ManagerLine m;
    m.ts_ms = static_cast<std::int64_t>(::timegm(&tm)) * 1000 + std::stoi(ts.substr(20, 3));
    m.index = lines.size();
    m.text = line.substr(at + tag.size());
    lines.push_back(std::move(m));
  }
  return lines;
}

// The first manager line containing `needle`, or nullopt.
inline std::optional<ManagerLine> first_line(const std::string& out, const std::string& needle) {
  for (ManagerLine& m : manager_lines(out)) {
    if (m.text.find(needle) != std::string::npos) return m;
  }
  return std::nullopt;
}

inline std::size_t count_lines(const std::string& out, const std::string& needle) {
  std::size_t n = 0;
  for (const ManagerLine& m : manager_lines(out)) n += m.text.find(needle) != std::string::npos;
  return n;
}

// The number after `key` in `text` ("pid 123" with key "pid "); -1 when absent.
inline std::int64_t number_after(const std::string& text, const std::string& key) {
  const std::size_t at = text.find(key);
  if (at == std::string::npos) return -1;
  return std::atoll(text.c_str() + at + key.size());
}

// `harrier up ARGS...` with its console in <dir>/console.log.
class Up {
 public:
  Up(std::string dir, std::vector<std::string> extra, std::vector<std::string> sets = fast_sets())
      : dir_(std::move(dir)) {
    std::vector<std::string> argv = {HARRIER_BINARY, "up", "--run-dir", dir_ + "/run"};
    for (const std::string& s : sets) {
      argv.push_back("--set");
      argv.push_back(s);
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<ChildProcess>(argv, dir_ + "/console.log");
  }

  ChildProcess& proc() { return *proc_; }
  std::string out() const { return proc_->output(); }
  std::string run_dir() const { return dir_ + "/run"; }
  std::string socket() const { return run_dir() + "/redis.sock"; }

  // Waits until all three roles said ready.
  bool all_ready(int timeout_ms = kReadyTimeoutMs) {
    return eventually(
        [&] {
          const std::string o = out();
          return first_line(o, "ingest ready") && first_line(o, "execute ready") &&
                 first_line(o, "telemetry ready");
        },
        timeout_ms);
  }

 private:
  std::string dir_;
  std::unique_ptr<ChildProcess> proc_;
};

// A connection to `url` with a generous timeout.
inline std::unique_ptr<bus::Connection> connect(const std::string& url) {
  bus::ConnectionConfig c;
  c.url = url;
  c.command_timeout_ns = 5 * kNsPerSec;
  return std::make_unique<bus::Connection>(c);
}

// The pid in heartbeat:{role}, or -1.
inline std::int64_t beat_pid(bus::Connection& c, const std::string& role) {
  auto hb = bus::read_heartbeat(c, role);
  if (!hb || !*hb) return -1;
  auto v = json::parse(**hb);
  if (!v) return -1;
  return static_cast<std::int64_t>(v->number_at("pid").value_or(-1));
}

// The per-role object of heartbeat:manager: {"pid":..,"state":..,"restarts":..}.
inline std::optional<json::Value> manager_role(bus::Connection& c, const std::string& role) {
  auto hb = bus::read_heartbeat(c, "manager");
  if (!hb || !*hb) return std::nullopt;
  auto v = json::parse(**hb);
  if (!v) return std::nullopt;
  const json::Value* roles = v->find("roles");
  const json::Value* r = roles ? roles->find(role) : nullptr;
  if (r == nullptr) return std::nullopt;
  return *r;
}

}  // namespace harrier::manager_test
