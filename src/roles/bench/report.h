// The results of `harrier bench` and their three renderings (issue #7): the JSON report (the
// shape below, read by tests and other tools), a Markdown table (also what the console shows),
// and a gnuplot PNG of feed lag and seal delay over time.
//
// JSON: {"machine": {...}, "command": "...", "scenarios": [{"name", "workload", "events",
//   "metrics": {"feed_lag_us", "seal_delay_us", "wake_us", "cycle_us", "stop_to_exit_us",
//               "frame_roundtrip_us": {"p50","p99","max","n"}, "events_per_s",
//               "rss_mb": {"ingest", "execute", "telemetry"}},
//   "floors": {"ping_us", "setget_us", "memcpy_us": {"p50","p99"}},
//   "ratios": {...}, "extra_metrics": {...}, "counters": {...}, "sustained", "search": [...]}]}
// Times are microseconds. A metric a scenario did not exercise (n = 0) is absent, never zero.
// Pure functions over plain values, except write_plot, which runs gnuplot.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "roles/bench/machine.h"
#include "roles/bench/probes.h"

namespace harrier::roles::bench {

// One heartbeat sample of P1 during a scenario (every 100 ms).
struct SeriesPoint {
  double t_s = 0;              // since P1 started (the session start), seconds
  double feed_lag_us = -1;     // mean over the window since the previous sample; < 0: no ticks
  double seal_delay_us = -1;   // the same for seals; < 0: no seal in the window
  double feed_lag_p99_us = 0;  // cumulative p99 so far
  double events_per_s = 0;     // ticks processed in the window, per second
};

// One probe of the max_rate search.
struct SearchStep {
  double rate = 0;  // offered events/s (simulator rate, or the workload's rate times its speed)
  double speed = 1;
  bool sustained = false;
  double feed_lag_p99_us = 0;
  std::uint64_t events = 0, processed = 0, dropped = 0;
  std::string why;  // what failed, when not sustained
};

struct ScenarioResult {
  std::string name, workload;
  std::uint64_t events = 0;  // ticks P1 processed
  double events_per_s = 0;
  std::map<std::string, Stat> metrics;   // only metrics with n > 0
  std::map<std::string, double> rss_mb;  // peak RSS per role
  std::map<std::string, Stat> floors;  // ping_us, setget_us, memcpy_us, seal_wake_us, stop_path_us,
                                       // timer_us, boundary_timer_us
  std::map<std::string, Stat> extra;   // breakdowns beside the metrics
  std::map<std::string, std::uint64_t> counters;
  std::vector<SeriesPoint> series;
  std::vector<SearchStep> search;
  bool sustained = true;
  std::string why;     // when not sustained
  bool burst = false;  // the workload has the open burst
};

struct Report {
  Machine machine;
  std::string command;
  std::vector<ScenarioResult> scenarios;
};

// A figure divided by its floor (p50 / p50); absent when either side is missing.
struct Ratio {
  std::string name;  // "wake_over_ping"
  std::string metric, floor;
  double value = 0;
};
std::vector<Ratio> ratios(const ScenarioResult& s);

// One issue #7 target checked against the results; `met` false also when not measured.
struct TargetCheck {
  std::string target, scenario, measured;
  bool measured_ok = false;  // the figure exists
  bool met = false;
  std::string floor;  // the floor it is read against, measured in the same run ("" if none)
};
std::vector<TargetCheck> check_targets(const Report& r);

std::string to_json(const Report& r);
std::string machine_markdown(const Machine& m);
std::string scenario_markdown(const ScenarioResult& s);
std::string to_markdown(const Report& r);

// Writes <work_dir>/<name>.csv and .gp and runs gnuplot to make `png_path`. kUnavailable when
// gnuplot is missing or fails (its output is in <work_dir>/gnuplot.log).
Status write_plot(const ScenarioResult& s, const std::string& png_path,
                  const std::string& work_dir);

}  // namespace harrier::roles::bench
