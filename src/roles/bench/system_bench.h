// `harrier bench` (issue #7; STYLE B8 after leveldb db_bench): the whole system measured end to
// end on one machine, each figure beside its physical floor measured in the same run.
//
// For each scenario the bench starts the real roles as processes of this same binary
// (/proc/self/exe): P2 `execute` and P3 `telemetry` first, then P1 `ingest` on the simulator at
// real-time speed (or on --workload FILE, replayed at its recorded speed), all against a private
// redis-server on a unix socket in a temporary directory (as `harrier up` does) or --redis URL.
// The example strategy is loosened (1 s trigger, any RSI, wide spread) and the trailing stop
// tightened so P2 trades and P3 fires exits during the run. While the session runs, the bench
// reads heartbeat:ingest every 100 ms (roles write it every 100 ms here) for the time series,
// and in between measures, on its own connection: PING, raw SET+GET of a 120x45 Arrow frame's
// bytes, memcpy of the same bytes, and the frame's encode+SET+GET+decode. When P1 has processed
// every event, the roles are stopped (P3, P2, P1) and their last heartbeats give the figures:
// feed_lag_us, seal_delay_us (P1), wake_us, cycle_us, trigger_to_exit_us (P2, reported as
// stop_to_exit_us), and peak rss per role. Session keys are deleted between scenarios and at
// the end (only those: a --redis keeps everything else); a --redis holding heartbeat:* keys (a
// system may be running on it) is refused.
//
// Scenarios (also `harrier bench --help`):
//   open_1x2000     1 symbol, 2,000 ev/s mean, with the open burst (5x falling to 1x)
//   sym10_20000     10 symbols, 20,000 ev/s
//   sym100_200000   100 symbols, 200,000 ev/s
//   max_rate        100 symbols: doubles the rate from 250,000 ev/s, then bisects, until the
//                   highest rate at which P1 keeps up (all events, no drops) with feed lag
//                   p99 under 100 ms; bounded in time. With --workload: the replay speed.
// Owned by the main thread; the roles are other processes.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace harrier::roles::bench {

struct ScenarioDef {
  std::string_view name, help;
  int symbols = 1;
  double rate = 2000;
  bool burst = false;
  double seconds = 60;        // session length
  double quick_seconds = 10;  // with --quick
  bool search = false;        // max_rate
};
std::span<const ScenarioDef> scenarios();

struct BenchOptions {
  std::vector<std::string> scenarios;  // empty: all
  std::string json_out, markdown_out, plot_out;
  std::string workload;   // canonical tick CSV (or any replay format P1 reads) instead of sim
  std::string redis_url;  // empty: a private redis-server
  bool quick = false;
  double seconds = 0;   // > 0: overrides every session length (and max_rate's probe length)
  int rt_priority = 0;  // > 0: P1's feed and bar threads at SCHED_FIFO (ingest.rt_priority)
  std::string command;  // the command line, for the report
};

// Runs the scenarios and writes the outputs; returns the exit code (0 ok, 1 a scenario could
// not run, 2 bad options).
int run_bench(const BenchOptions& opts);

}  // namespace harrier::roles::bench
