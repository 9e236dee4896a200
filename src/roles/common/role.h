// What every role process shares (ARCHITECTURE §4, STYLE B9): the common command-line flags
// (--config, --set, --redis, --log-level), the config load (exit code 2 with the key named on a
// bad value), SIGTERM/SIGINT handling (a flag the role's threads poll), the Redis connection
// settings, the metrics registry, and the heartbeat thread that writes heartbeat:{role} every
// heartbeat.interval_ms once the role says it is ready.
//
// Threads: the heartbeat thread ("heartbeat") owns its own Redis connection; the role's threads
// only touch Metrics (atomics) and the stop flag.
#pragma once

#include <atomic>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/connection.h"
#include "config/config.h"
#include "core/clock.h"
#include "roles/common/metrics.h"

namespace harrier::roles {

struct RoleContext {
  std::string role;  // "ingest", "execute", "telemetry"
  Config config;
  bus::ConnectionConfig redis;  // from config.redis, client name harrier-<role>
  Metrics metrics;
  const Clock& clock = SystemClock::instance();
  int restarts = 0;  // how often the manager restarted this role (HARRIER_RESTARTS)
  TimestampNs started_ns = 0;

  // True once SIGTERM or SIGINT arrived (or request_stop was called).
  bool stopping() const;
  void request_stop();
  // Starts the heartbeat: the manager counts the role as started from its first heartbeat.
  void mark_ready();
  bool ready() const { return ready_.load(); }

  std::atomic<bool> ready_{false};
};

// The body of a role: returns the exit code (0 clean stop, 1 runtime failure).
using RoleBody = std::function<int(RoleContext&)>;

// Parses the common flags, loads the config, installs the signal handlers, runs `body` with the
// heartbeat thread beside it, and returns the process exit code (2 on usage or config error).
// `extra_validate` may reject config values this role cannot use (message names the key).
int run_role(std::span<char*> args, std::string_view role, std::string_view description,
             const RoleBody& body,
             const std::function<Status(const Config&)>& extra_validate = nullptr);

// Keeps what the process frees in its heap instead of giving it back to the kernel, and serves
// blocks up to 64 MB from the heap rather than from mmap (glibc mallopt). A Redis command or
// reply of tens of KB (a bar window) otherwise returns its pages at free() and faults them in
// again at the next, ~11 us a page on the 2-core VM of issue #7: `harrier bench`'s PING, timed
// on the thread that SETs and GETs a 45 KB frame each round, went from p50 ~310 to ~50 us with
// it (redis-benchmark beside it: ~55 us). Costs resident memory: the process keeps its peak
// heap. P1 (ingest.cc, with its heap faulted in at start) and `harrier bench` call it; P2 and
// P3 showed no difference with it (three alternating sym10_20000 pairs) and do not.
void keep_heap();

// bus::ConnectionConfig for `cfg.redis`; an empty url means tcp://127.0.0.1:6379.
bus::ConnectionConfig redis_config(const Config& cfg, std::string_view client_name);

// The CPUs this process may run on, as a list such as "0-3,8" (sched_getaffinity).
std::string affinity_text();

// The heartbeat JSON of a role: role, pid, state, started_ns, ts_ns, uptime_s, restarts, cpus,
// rss_bytes and the metrics snapshot.
std::string heartbeat_json(const RoleContext& ctx, std::string_view state);

}  // namespace harrier::roles
