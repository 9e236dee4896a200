#include "roles/bench/system_bench.h"

#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "bus/keys.h"
#include "core/log.h"
#include "roles/bench/child.h"
#include "roles/bench/session.h"
#include "roles/common/role.h"

namespace harrier::roles::bench {
namespace {

constexpr std::string_view kTag = "bench";

constexpr std::array kScenarios = {
    ScenarioDef{"open_1x2000", "1 symbol, 2,000 ev/s with the open burst (5x falling to 1x)", 1,
                2000, true, 60, 12, false},
    ScenarioDef{"sym10_20000", "10 symbols, 20,000 ev/s", 10, 20000, false, 30, 6, false},
    ScenarioDef{"sym100_200000", "100 symbols, 200,000 ev/s", 100, 200000, false, 20, 4, false},
    ScenarioDef{"max_rate",
                "100 symbols: the highest rate with every event processed, no drops and feed lag "
                "p99 < 100 ms (doubling from 250,000 ev/s, then bisecting; bounded in time)",
                100, 250000, false, 4, 2, true},
};

// The max_rate search: time budget (s of sessions) and the finest step (ratio fail/pass).
constexpr double kSearchBudgetS = 150, kQuickSearchBudgetS = 40, kSearchResolution = 1.15;
constexpr double kSearchMaxRate = 64e6;

struct Running {
  Env env;
  std::optional<Child> redis;
  std::string redis_version;
};

Status start_redis(Running& run) {
  const std::string sock = run.env.dir + "/redis.sock";
  const std::string conf = run.env.dir + "/redis.conf";
  {
    std::ofstream out(conf);
    out << "port 0\nunixsocket " << sock << "\nunixsocketperm 700\nsave \"\"\nappendonly no\n"
        << "dir " << run.env.dir << "\n";
    if (!out) return io_error(conf + ": cannot write");
  }
  HARRIER_ASSIGN_OR_RETURN(Child c,
                           Child::spawn({"redis-server", conf}, run.env.dir + "/redis.log"));
  run.env.redis_pid = c.pid();
  run.redis.emplace(std::move(c));
  run.env.url = "unix:" + sock;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    bus::ConnectionConfig cc;
    cc.url = run.env.url;
    bus::Connection probe(cc);
    if (probe.ping()) return ok();
    if (auto code = run.redis->wait(0)) {
      return unavailable(
          fmt::format("redis-server exited with {}: {}", *code, run.redis->log_tail(600)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return timeout_error("redis-server did not answer PING within 10 s: " + run.redis->log_tail(600));
}

std::string redis_version(const bus::ConnectionConfig& cc) {
  bus::Connection c(cc);
  auto r = c.command({"INFO", "server"});
  if (!r) return "";
  auto text = r->string();
  if (!text) return "";
  const std::string_view t = *text;
  const auto at = t.find("redis_version:");
  if (at == std::string_view::npos) return "";
  const auto start = at + 14;
  return std::string(t.substr(start, t.find_first_of("\r\n", start) - start));
}

Workload workload_for(const ScenarioDef& d, const BenchOptions& o) {
  Workload w;
  w.rt_priority = o.rt_priority;
  // max_rate measures the tick path under the example strategy's own gates, as it did before
  // strategy.ema_uptrend existed: with the uptrend gate dropped, nearly every symbol holds a
  // guarded position and P1 publishes every price change of it on stream:quote (329,049
  // entries in one 4 s probe at 0.84 M ev/s, run at 17b6c11), so the search would measure
  // Redis' XADD rate instead.
  w.any_trend = !d.search;
  if (!o.workload.empty()) {
    w.sim = false;
    w.file = o.workload;
    return w;
  }
  w.symbols = d.symbols;
  w.rate = d.rate;
  w.burst = d.burst;
  w.seconds = o.seconds > 0 ? o.seconds : o.quick ? d.quick_seconds : d.seconds;
  return w;
}

// The max_rate search: doubles until a probe is not sustained, then bisects (geometrically)
// between the best sustained and the first failed probe, within the time budget.
Result<ScenarioResult> search_max_rate(const Env& env, const ScenarioDef& d,
                                       const BenchOptions& o) {
  const double budget = o.quick ? kQuickSearchBudgetS : kSearchBudgetS;
  SessionSettings ss;
  ss.deadline_slack_s = 1;
  ss.floor_rounds = 1;
  ss.settle_s = 0.3;
  std::optional<ScenarioResult> best;
  double pass = 0, fail = 0, used = 0;
  std::vector<SearchStep> steps;
  Workload base = workload_for(d, o);
  if (!base.sim) HARRIER_TRY(count_events(base));  // the file's own rate at 1x
  const double base_rate = base.rate;
  double next = base.sim ? d.rate : 1;  // sim: rate; file: speed
  while (true) {
    Workload w = base;
    if (w.sim) {
      w.rate = next;
    } else {
      w.speed = next;
    }
    const double session_s = w.sim ? w.seconds : base.session_s / w.speed;
    if (used + session_s > budget && !steps.empty()) break;
    const auto probe_start = std::chrono::steady_clock::now();
    HARRIER_TRY(count_events(w));
    log::info(kTag, "max_rate: probing {:.0f} ev/s ({})", w.rate, w.text);
    HARRIER_ASSIGN_OR_RETURN(ScenarioResult r, run_session(env, w, ss));
    // The budget counts everything a probe costs: counting the events, starting the roles.
    used += std::chrono::duration<double>(std::chrono::steady_clock::now() - probe_start).count();
    SearchStep st;
    st.rate = w.sim ? w.rate : base_rate * w.speed;
    st.speed = w.speed;
    st.sustained = r.sustained;
    st.feed_lag_p99_us = r.metrics.count("feed_lag_us") ? r.metrics["feed_lag_us"].p99 : 0;
    st.events = w.events;
    st.processed = r.counters["ticks_processed"];
    st.dropped = r.counters["ticks_dropped"] + r.counters["io_queue_drops"];
    st.why = r.why;
    steps.push_back(st);
    if (r.sustained) {
      pass = next;
      r.events_per_s = st.rate;
      best = std::move(r);
    } else {
      fail = next;
      if (!best) best = std::move(r);
    }
    if (fail == 0) {
      next = pass * 2;
      if (w.rate * 2 > kSearchMaxRate) break;
    } else if (pass == 0) {
      next = fail / 2;
      if (next < (base.sim ? 1000 : 0.01)) break;
    } else {
      if (fail / pass < kSearchResolution) break;
      next = std::sqrt(pass * fail);
    }
  }
  ScenarioResult out = std::move(*best);
  out.search = std::move(steps);
  out.sustained = pass > 0;
  if (pass == 0) {
    out.events_per_s = 0;
    out.why = "no probed rate was sustained";
  } else {
    out.why.clear();
    out.workload = fmt::format("{} (best sustained of {} probes)", out.workload, out.search.size());
  }
  return out;
}

Result<ScenarioResult> run_scenario(const Env& env, const ScenarioDef& d, const BenchOptions& o) {
  if (d.search) return search_max_rate(env, d, o);
  Workload w = workload_for(d, o);
  HARRIER_TRY(count_events(w));
  log::info(kTag, "{}: {} ({} events, {:.1f} s)", d.name, w.text, w.events, w.session_s);
  SessionSettings ss;
  ss.series = true;
  return run_session(env, w, ss);
}

std::string self_exe() {
  std::array<char, 4096> buf{};
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  return n > 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : "/proc/self/exe";
}

Status write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) return io_error(path + ": cannot write");
  return ok();
}

}  // namespace

std::span<const ScenarioDef> scenarios() { return kScenarios; }

int run_bench(const BenchOptions& o) {
  std::vector<const ScenarioDef*> chosen;
  for (const std::string& name : o.scenarios) {
    const ScenarioDef* found = nullptr;
    for (const ScenarioDef& d : kScenarios) {
      if (d.name == name) found = &d;
    }
    if (found == nullptr) {
      std::fprintf(stderr, "harrier bench: unknown scenario '%s' (see harrier bench --help)\n",
                   name.c_str());
      return 2;
    }
    chosen.push_back(found);
  }
  if (chosen.empty()) {
    for (const ScenarioDef& d : kScenarios) chosen.push_back(&d);
  }

  // The probes SET and GET a ~45 KB frame a round through hiredis: without this its pages went
  // back to the kernel after each round (a third of this process's samples in brk and systrim
  // in a perf of sym100_200000) and the floors measured that (see keep_heap).
  keep_heap();

  Report report;
  report.command = o.command;
  report.machine = read_machine();
  if (o.quick) {
    report.machine.warnings.push_back(
        "--quick: short sessions and a 40 s max_rate search of 2 s probes, a smoke run; the "
        "targets are read from a full run (docs/PERFORMANCE.md)");
  }
  for (const std::string& w : report.machine.warnings) {
    std::fprintf(stderr, "harrier bench: WARNING: %s\n", w.c_str());
  }

  Running run;
  std::string tmpl = "/tmp/harrier-bench-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::fprintf(stderr, "harrier bench: cannot create a directory under /tmp\n");
    return 1;
  }
  run.env.dir = tmpl;
  run.env.exe = self_exe();
  if (o.redis_url.empty()) {
    if (Status st = start_redis(run); !st) {
      std::fprintf(stderr, "harrier bench: private redis-server: %s (logs in %s)\n",
                   st.error().to_string().c_str(), run.env.dir.c_str());
      return 1;
    }
  } else {
    run.env.url = o.redis_url;
  }
  run.env.redis.url = run.env.url;
  run.env.redis.command_timeout_ns = 5 * kNsPerSec;
  if (!o.redis_url.empty()) {
    // The bench deletes session keys between scenarios: never on a Redis a running system uses.
    bus::Connection c(run.env.redis);
    std::error_code ec;  // the run directory holds nothing yet: removed on a refusal
    auto live = c.command({"SCAN", "0", "MATCH", bus::keys::heartbeat("*"), "COUNT", "10000"});
    if (!live) {
      std::fprintf(stderr, "harrier bench: --redis %s: %s\n", o.redis_url.c_str(),
                   live.error().to_string().c_str());
      std::filesystem::remove_all(run.env.dir, ec);
      return 1;
    }
    if (live->size() == 2 && live->at(1).size() > 0) {
      std::fprintf(stderr,
                   "harrier bench: --redis %s holds heartbeat keys: a Harrier system may be "
                   "using it; the bench deletes session keys, so give it a scratch Redis\n",
                   o.redis_url.c_str());
      std::filesystem::remove_all(run.env.dir, ec);
      return 2;
    }
  }
  report.machine.redis_version = redis_version(run.env.redis);
  std::printf("%s\n", machine_markdown(report.machine).c_str());
  std::fflush(stdout);

  int code = 0;
  for (const ScenarioDef* d : chosen) {
    auto r = run_scenario(run.env, *d, o);
    if (!r) {
      std::fprintf(stderr, "harrier bench: %s: %s (logs in %s)\n", std::string(d->name).c_str(),
                   r.error().to_string().c_str(), run.env.dir.c_str());
      code = 1;
      continue;
    }
    r->name = std::string(d->name);
    std::printf("%s", scenario_markdown(*r).c_str());
    std::fflush(stdout);
    report.scenarios.push_back(std::move(*r));
  }
  report.machine.load_avg_end = load_average();

  if (!o.json_out.empty()) {
    if (Status st = write_file(o.json_out, to_json(report)); !st) {
      std::fprintf(stderr, "harrier bench: --json: %s\n", st.error().message().c_str());
      code = 1;
    }
  }
  if (!o.markdown_out.empty()) {
    if (Status st = write_file(o.markdown_out, to_markdown(report)); !st) {
      std::fprintf(stderr, "harrier bench: --markdown: %s\n", st.error().message().c_str());
      code = 1;
    }
  }
  if (!o.plot_out.empty()) {
    const ScenarioResult* pick = nullptr;
    for (const ScenarioResult& s : report.scenarios) {
      if (pick == nullptr && !s.series.empty()) pick = &s;
      if (s.burst && !s.series.empty() && (pick == nullptr || !pick->burst)) pick = &s;
    }
    if (pick == nullptr) {
      std::fprintf(stderr, "harrier bench: --plot: no scenario with a time series ran\n");
    } else if (Status st = write_plot(*pick, o.plot_out, run.env.dir); !st) {
      std::fprintf(stderr, "harrier bench: --plot: %s\n", st.error().to_string().c_str());
      code = 1;
    } else {
      std::printf("plot of %s: %s\n", pick->name.c_str(), o.plot_out.c_str());
    }
  }
  std::printf("\nTargets (issue #7):\n");
  for (const TargetCheck& t : check_targets(report)) {
    std::printf(
        "  %-4s %-48s %-14s %s%s%s\n",
        !t.measured_ok ? "n/a"
        : t.met        ? "MET"
                       : "MISS",
        t.target.c_str(), t.scenario.c_str(), t.measured.c_str(),
        t.floor.empty() ? "" : "  (floor: ", t.floor.empty() ? "" : (t.floor + ")").c_str());
  }

  if (!o.redis_url.empty()) {
    bus::Connection c(run.env.redis);
    (void)clear_session_keys(c);  // leave a shared Redis as it was found
  }
  if (run.redis) run.redis->stop(5000);
  if (code == 0) {
    std::error_code ec;
    std::filesystem::remove_all(run.env.dir, ec);
  } else {
    std::fprintf(stderr, "harrier bench: logs kept in %s\n", run.env.dir.c_str());
  }
  return code;
}

}  // namespace harrier::roles::bench
