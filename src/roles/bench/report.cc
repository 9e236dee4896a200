#include "roles/bench/report.h"

#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "roles/bench/child.h"
#include "roles/common/json.h"

namespace harrier::roles::bench {
namespace {

// Metric -> the floor its ratio is read against (p50 / p50).
struct RatioDef {
  const char* name;
  const char* metric;  // a metric, or a floor
  const char* floor;
};
constexpr RatioDef kRatios[] = {
    {"wake_over_ping", "wake_us", "ping_us"},
    {"wake_over_seal_wake", "wake_us", "seal_wake_us"},
    {"seal_wake_over_ping", "seal_wake_us", "ping_us"},
    {"cycle_over_ping", "cycle_us", "ping_us"},
    {"stop_to_exit_over_ping", "stop_to_exit_us", "ping_us"},
    {"stop_to_exit_over_stop_path", "stop_to_exit_us", "stop_path_us"},
    {"frame_roundtrip_over_setget", "frame_roundtrip_us", "setget_us"},
    {"frame_roundtrip_over_memcpy", "frame_roundtrip_us", "memcpy_us"},
    {"setget_over_ping", "setget_us", "ping_us"},
    {"setget_over_memcpy", "setget_us", "memcpy_us"},
};

constexpr const char* kMetricOrder[] = {"feed_lag_us", "seal_delay_us",   "wake_us",
                                        "cycle_us",    "stop_to_exit_us", "frame_roundtrip_us"};
constexpr const char* kFloorOrder[] = {"ping_us",          "setget_us",    "memcpy_us",
                                       "seal_wake_us",     "stop_path_us", "timer_us",
                                       "boundary_timer_us"};

const Stat* find(const std::map<std::string, Stat>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() || it->second.n == 0 ? nullptr : &it->second;
}
const Stat* metric_or_floor(const ScenarioResult& s, const std::string& k) {
  const Stat* st = find(s.metrics, k);
  return st != nullptr ? st : find(s.floors, k);
}

std::string stat_json(const Stat& s, bool with_max) {
  json::Writer w;
  w.field("p50", s.p50).field("p99", s.p99);
  if (with_max) w.field("max", s.max).field("n", s.n);
  return w.finish();
}

std::string num(double v) {
  if (!std::isfinite(v)) return "—";
  if (std::fabs(v) >= 100) return fmt::format("{:.0f}", v);
  if (std::fabs(v) >= 10) return fmt::format("{:.1f}", v);
  return fmt::format("{:.2f}", v);
}

std::string machine_json(const Machine& m) {
  json::Writer w;
  w.field("build_type", m.build_type)
      .field("compiler", m.compiler)
      .field("sanitized", m.sanitized)
      .field("assertions", m.assertions)
      .field("cpu_model", m.cpu_model)
      .field("cpus", m.cpus_online)
      .field("cpus_allowed", m.cpus_allowed)
      .field("kernel", m.kernel)
      .field("load_avg_start", m.load_avg_start)
      .field("load_avg_end", m.load_avg_end)
      .field("redis_version", m.redis_version);
  std::string warnings = "[";
  for (std::size_t i = 0; i < m.warnings.size(); ++i) {
    if (i > 0) warnings += ',';
    json::append_string(warnings, m.warnings[i]);
  }
  warnings += ']';
  w.raw("warnings", warnings);
  return w.finish();
}

std::string scenario_json(const ScenarioResult& s) {
  json::Writer w;
  w.field("name", s.name).field("workload", s.workload).field("events", s.events);
  w.begin_object("metrics");
  for (const char* k : kMetricOrder) {
    if (const Stat* st = find(s.metrics, k)) w.raw(k, stat_json(*st, true));
  }
  w.field("events_per_s", s.events_per_s);
  w.begin_object("rss_mb");
  for (const auto& [role, mb] : s.rss_mb) w.field(role, mb);
  w.end_object();
  w.end_object();
  w.begin_object("floors");
  for (const char* k : kFloorOrder) {
    if (const Stat* st = find(s.floors, k)) w.raw(k, stat_json(*st, false));
  }
  w.end_object();
  w.begin_object("ratios");
  for (const Ratio& r : ratios(s)) w.field(r.name, r.value);
  w.end_object();
  w.begin_object("extra_metrics");
  for (const auto& [k, st] : s.extra) {
    if (st.n > 0) w.raw(k, stat_json(st, true));
  }
  w.end_object();
  w.begin_object("counters");
  for (const auto& [k, v] : s.counters) w.field(k, v);
  w.end_object();
  w.field("sustained", s.sustained);
  if (!s.why.empty()) w.field("why", s.why);
  if (!s.search.empty()) {
    std::string steps = "[";
    for (std::size_t i = 0; i < s.search.size(); ++i) {
      const SearchStep& st = s.search[i];
      json::Writer sw;
      sw.field("rate", st.rate)
          .field("speed", st.speed)
          .field("sustained", st.sustained)
          .field("feed_lag_p99_us", st.feed_lag_p99_us)
          .field("events", st.events)
          .field("processed", st.processed)
          .field("dropped", st.dropped)
          .field("why", st.why);
      if (i > 0) steps += ',';
      steps += sw.finish();
    }
    steps += ']';
    w.raw("search", steps);
  }
  return w.finish();
}

}  // namespace

std::vector<Ratio> ratios(const ScenarioResult& s) {
  std::vector<Ratio> out;
  for (const RatioDef& d : kRatios) {
    const Stat* m = metric_or_floor(s, d.metric);
    const Stat* f = find(s.floors, d.floor);
    if (m == nullptr || f == nullptr || f->p50 <= 0) continue;
    out.push_back({d.name, d.metric, d.floor, m->p50 / f->p50});
  }
  return out;
}

std::vector<TargetCheck> check_targets(const Report& r) {
  std::vector<TargetCheck> out;
  // `figure` < 0: not measured. `floor`: the floor the target is read against, as measured in
  // the same run (empty when there is none or it was not measured).
  auto add = [&](std::string target, const ScenarioResult& s, double figure, double limit,
                 bool at_most, std::string_view unit, std::string floor = {}) {
    TargetCheck t{std::move(target), s.name, "not measured", false, false, std::move(floor)};
    if (figure >= 0) {
      t.measured_ok = true;
      t.met = at_most ? figure <= limit : figure >= limit;
      t.measured = num(figure) + std::string(unit);
    }
    out.push_back(std::move(t));
  };
  auto p99 = [](const Stat* st) { return st != nullptr ? st->p99 : -1.0; };
  auto p50_ratio = [](const Stat* a, const Stat* b) {
    return a != nullptr && b != nullptr && b->p50 > 0 ? a->p50 / b->p50 : -1.0;
  };
  // "<what> p99 <x> us" of a floor, or empty when it was not measured.
  auto floor_p99 = [](const ScenarioResult& s, const char* k, std::string_view what) {
    const Stat* f = find(s.floors, k);
    return f == nullptr ? std::string() : fmt::format("{} p99 {} us", what, num(f->p99));
  };
  for (const ScenarioResult& s : r.scenarios) {
    if (s.name == "open_1x2000") {
      add("feed lag p99 < 100 us at 2,000 ev/s", s, p99(find(s.metrics, "feed_lag_us")), 100, true,
          " us", floor_p99(s, "timer_us", "deadline wake-up"));
    }
    if (s.name == "sym10_20000") {
      add("feed lag p99 < 500 us at 20,000 ev/s", s, p99(find(s.metrics, "feed_lag_us")), 500, true,
          " us", floor_p99(s, "timer_us", "deadline wake-up"));
    }
    if (s.name == "max_rate") {
      add("max sustained rate >= 5,000,000 ev/s", s, s.sustained ? s.events_per_s : 0, 5e6, false,
          " ev/s");
      continue;
    }
    // Beside the seal delay, its floor (a thread doing nothing but wait for deadlines when the
    // closing ticks arrive, in a boundary's first 5 ms) and its two parts for the seals a closing
    // tick made: the tick waiting to be taken by P1's bar thread and P1's own work after it.
    std::string seal_parts = floor_p99(s, "boundary_timer_us", "deadline wake-up at boundaries");
    const Stat* waiting = find(s.extra, "p1_closing_tick_lag_us");
    const Stat* work = find(s.extra, "p1_seal_work_us");
    if (waiting != nullptr && work != nullptr) {
      seal_parts +=
          fmt::format("{}closing tick waiting to be taken p99 {} us; P1's work after it p99 {} us",
                      seal_parts.empty() ? "" : "; ", num(waiting->p99), num(work->p99));
    }
    add("seal delay p99 < 1 ms", s, p99(find(s.metrics, "seal_delay_us")), 1000, true, " us",
        std::move(seal_parts));
    const double seal_wake = p50_ratio(find(s.floors, "seal_wake_us"), find(s.floors, "ping_us"));
    // P1's own seals landing in Redis: no reader, however idle, holds one sooner.
    const double landed =
        p50_ratio(find(s.extra, "p1_publish_to_commit_us"), find(s.floors, "ping_us"));
    std::string wake_floor;
    if (seal_wake >= 0) wake_floor = fmt::format("seal wake-up {}x PING", num(seal_wake));
    if (landed >= 0) {
      wake_floor += fmt::format("{}P1's seals in Redis {}x PING after publish",
                                wake_floor.empty() ? "" : "; ", num(landed));
    }
    add("new_bar to P2 wake p50 <= 2x PING", s,
        p50_ratio(find(s.metrics, "wake_us"), find(s.floors, "ping_us")), 2, true, "x PING",
        std::move(wake_floor));
    add("P2 cycle p99 < 250 us", s, p99(find(s.metrics, "cycle_us")), 250, true, " us",
        floor_p99(s, "setget_us", "SET+GET"));
    add("Arrow frame round trip p50 <= 1.5x raw SET+GET", s,
        p50_ratio(find(s.metrics, "frame_roundtrip_us"), find(s.floors, "setget_us")), 1.5, true,
        "x SET+GET");
    add("stop trigger to exit order p99 < 200 us", s, p99(find(s.metrics, "stop_to_exit_us")), 200,
        true, " us", floor_p99(s, "stop_path_us", "the same Redis hops alone"));
  }
  return out;
}

std::string to_json(const Report& r) {
  json::Writer w;
  w.raw("machine", machine_json(r.machine)).field("command", r.command);
  std::string list = "[";
  for (std::size_t i = 0; i < r.scenarios.size(); ++i) {
    if (i > 0) list += ',';
    list += scenario_json(r.scenarios[i]);
  }
  list += ']';
  w.raw("scenarios", list);
  return w.finish() + "\n";
}

std::string machine_markdown(const Machine& m) {
  std::string out;
  out += fmt::format("- build: {} ({}), sanitizers {}, assertions {}\n", m.build_type, m.compiler,
                     m.sanitized ? "on" : "off", m.assertions ? "on" : "off");
  out += fmt::format("- CPU: {} x {} ({} usable by this process)\n", m.cpus_online, m.cpu_model,
                     m.cpus_allowed);
  out += fmt::format("- kernel: {}; Redis {}\n", m.kernel,
                     m.redis_version.empty() ? "?" : m.redis_version);
  out += fmt::format("- load average (1/5/15 min): {} at start, {} at end\n", m.load_avg_start,
                     m.load_avg_end.empty() ? "?" : m.load_avg_end);
  for (const std::string& w : m.warnings) out += "- **WARNING: " + w + "**\n";
  return out;
}

std::string scenario_markdown(const ScenarioResult& s) {
  std::string out =
      fmt::format("### {}\n\nworkload: {}; {} events, {} ev/s{}\n\n", s.name, s.workload, s.events,
                  num(s.events_per_s), s.sustained ? "" : "; NOT SUSTAINED: " + s.why);
  out += "| metric | p50 us | p99 us | max us | n | floor (p50 us) | p50 / floor |\n";
  out += "|---|---:|---:|---:|---:|---|---:|\n";
  const std::vector<Ratio> rs = ratios(s);
  for (const char* k : kMetricOrder) {
    const Stat* st = find(s.metrics, k);
    if (st == nullptr) {
      out += fmt::format("| {} | — | — | — | 0 | not exercised | — |\n", k);
      continue;
    }
    std::string floor = "—", ratio = "—";
    for (const Ratio& r : rs) {
      if (r.metric != k) continue;
      const Stat* f = find(s.floors, r.floor);
      floor = fmt::format("{} ({})", r.floor, num(f->p50));
      ratio = num(r.value);
      break;  // the first listed floor is the one the target reads against
    }
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", k, num(st->p50), num(st->p99),
                       num(st->max), st->n, floor, ratio);
  }
  for (const char* k : kFloorOrder) {
    if (const Stat* f = find(s.floors, k)) {
      out += fmt::format("| floor {} | {} | {} | {} | {} | | |\n", k, num(f->p50), num(f->p99),
                         num(f->max), f->n);
    }
  }
  for (const auto& [k, st] : s.extra) {
    if (st.n > 0) {
      out += fmt::format("| ({}) | {} | {} | {} | {} | | |\n", k, num(st.p50), num(st.p99),
                         num(st.max), st.n);
    }
  }
  out += "\n";
  if (!rs.empty()) {
    out += "ratios (p50 / p50):";
    for (const Ratio& r : rs) out += fmt::format(" {} {};", r.name, num(r.value));
    out += "\n\n";
  }
  if (!s.rss_mb.empty()) {
    out += "RSS (peak, MiB):";
    for (const auto& [role, mb] : s.rss_mb) out += fmt::format(" {} {};", role, num(mb));
    out += "\n\n";
  }
  if (!s.counters.empty()) {
    out += "counters:";
    for (const auto& [k, v] : s.counters) out += fmt::format(" {}={}", k, v);
    out += "\n\n";
  }
  if (!s.search.empty()) {
    out +=
        "| offered ev/s | speed | sustained | feed lag p99 us | events | processed | dropped | "
        "why |\n|---:|---:|---|---:|---:|---:|---:|---|\n";
    for (const SearchStep& st : s.search) {
      out += fmt::format("| {:.0f} | {} | {} | {} | {} | {} | {} | {} |\n", st.rate, num(st.speed),
                         st.sustained ? "yes" : "no", num(st.feed_lag_p99_us), st.events,
                         st.processed, st.dropped, st.why);
    }
    out += "\n";
  }
  return out;
}

std::string to_markdown(const Report& r) {
  std::string out = "## harrier bench\n\n`" + r.command + "`\n\n" + machine_markdown(r.machine);
  out += "\n";
  for (const ScenarioResult& s : r.scenarios) out += scenario_markdown(s);
  out +=
      "### Targets (issue #7)\n\n| target | scenario | measured | met | floor in the same run "
      "|\n|---|---|---|---|---|\n";
  for (const TargetCheck& t : check_targets(r)) {
    out += fmt::format("| {} | {} | {} | {} | {} |\n", t.target, t.scenario, t.measured,
                       !t.measured_ok ? "not measured"
                       : t.met        ? "yes"
                                      : "**no**",
                       t.floor);
  }
  return out;
}

Status write_plot(const ScenarioResult& s, const std::string& png_path,
                  const std::string& work_dir) {
  const std::string csv = work_dir + "/" + s.name + ".csv";
  const std::string gp = work_dir + "/" + s.name + ".gp";
  {
    std::ofstream out(csv);
    out << "t_s,feed_lag_us,seal_delay_us,feed_lag_p99_us,events_per_s\n";
    auto cell = [](double v) { return v < 0 ? std::string("?") : fmt::format("{:.3f}", v); };
    for (const SeriesPoint& p : s.series) {
      out << fmt::format("{:.3f},{},{},{:.3f},{:.0f}\n", p.t_s, cell(p.feed_lag_us),
                         cell(p.seal_delay_us), p.feed_lag_p99_us, p.events_per_s);
    }
    if (!out) return io_error(csv + ": cannot write");
  }
  {
    std::ofstream out(gp);
    out << "set terminal png size 1100,620\n"
        << "set output '" << png_path << "'\n"
        << "set datafile separator ','\nset datafile missing '?'\n"
        << "set title \"harrier bench " << s.name << ": " << s.workload
        << "\\nfeed lag and seal delay per 100 ms heartbeat window\" noenhanced\n"
        << "set xlabel 'seconds since the session start'\n"
        << "set ylabel 'microseconds (log scale)'\nset logscale y\nset ytics nomirror\n"
        << "set y2label 'events/s'\nset y2tics\nset key top right\nset grid\n"
        << "plot '" << csv << "' skip 1 using 1:2 with lines lw 2 title 'feed lag, mean', "
        << "'' skip 1 using 1:4 with lines dt 2 title 'feed lag, p99 so far', "
        << "'' skip 1 using 1:3 with points pt 7 ps 0.8 title 'seal delay, mean', "
        << "'' skip 1 using 1:5 axes x1y2 with lines lc rgb 'gray' title 'events/s (right)'\n";
    if (!out) return io_error(gp + ": cannot write");
  }
  HARRIER_ASSIGN_OR_RETURN(Child g, Child::spawn({"gnuplot", gp}, work_dir + "/gnuplot.log"));
  auto code = g.wait(60000);
  if (!code || *code != 0) {
    return unavailable("gnuplot failed (" + (code ? std::to_string(*code) : "timeout") +
                       "): " + g.log_tail(500));
  }
  return ok();
}

}  // namespace harrier::roles::bench
