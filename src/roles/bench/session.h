// One measured session of `harrier bench`: clear the session keys, start P2 and P3, start P1 on
// a workload, sample heartbeat:ingest every 100 ms while measuring the floors in between, stop
// the roles in teardown order (P3, P2, P1) and read their last heartbeats. system_bench.h has
// the design. Owned by the bench's main thread.
#pragma once

#include <cstdint>
#include <string>

#include <sys/types.h>

#include "bus/connection.h"
#include "core/result.h"
#include "roles/bench/report.h"

namespace harrier::roles::bench {

struct Env {
  std::string exe;  // this binary
  std::string dir;  // logs (and the private Redis)
  std::string url;  // Redis
  bus::ConnectionConfig redis;
  pid_t redis_pid = 0;  // the private redis-server (0: --redis, not ours to measure)
};

// What P1 reads in one session: the simulator at real-time speed, or a file replayed at `speed`.
struct Workload {
  bool sim = true;
  int symbols = 1;
  double rate = 2000;  // sim: mean events/s; file: events / recorded span
  bool burst = false;
  double seconds = 60;  // sim: the session length
  std::uint64_t seed = 1;
  std::string file;
  double speed = 1;
  int rt_priority = 0;  // > 0: P1's feed and bar threads at SCHED_FIFO (ingest.rt_priority)
  // The strategy enters whichever way prices drift (strategy.ema_uptrend=false), so P2's
  // cycle and the stop path are measured on any seed's path; off for max_rate (see there).
  bool any_trend = true;
  // Filled by count_events():
  std::uint64_t events = 0;
  double session_s = 0;  // wall-clock length of the session
  std::string text;      // for the report
};

// feed.queue_capacity for P1 in a session of `w`: the ticks of 100 ms (the feed lag a
// "sustained" session may have) at its rate, as a power of two, at least the default 65,536.
std::uint64_t feed_queue_for(const Workload& w);

// Counts the workload's events (the simulator is deterministic for its seed; a file is read
// through the replay feed) and fills events, session_s and text. A file's errors name it.
Status count_events(Workload& w);

struct SessionSettings {
  bool series = false;          // keep the 100 ms time series
  double deadline_slack_s = 5;  // wait this long past the session for P1 to finish
  int floor_rounds = 4;         // floor/frame rounds per 100 ms
  double settle_s = 1;          // after P1 finished, before the roles are stopped
};

// Runs one session. The result's sustained/why say whether P1 processed every event in time
// with no drops and feed lag p99 under 100 ms. kUnavailable when a role or Redis fails.
Result<ScenarioResult> run_session(const Env& env, const Workload& w, const SessionSettings& s);

// Deletes the session keys (bus::keys::session_key_patterns) and the bench's own keys.
Status clear_session_keys(bus::Connection& c);

}  // namespace harrier::roles::bench
