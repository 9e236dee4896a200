#include "roles/bench/session.h"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "bus/keys.h"
#include "bus/state.h"
#include "core/log.h"
#include "feed/replay_feed.h"
#include "feed/sim_feed.h"
#include "roles/bench/child.h"
#include "roles/common/json.h"

namespace harrier::roles::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view kTag = "bench";
constexpr auto kSample = std::chrono::milliseconds(100);
constexpr double kLagLimitUs = 100'000;  // "sustained": feed lag p99 under 100 ms
constexpr int kReadyTimeoutMs = 30'000;

const json::Value* at(const json::Value& v, std::initializer_list<std::string_view> path) {
  const json::Value* cur = &v;
  for (std::string_view k : path) {
    cur = cur->find(k);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

std::uint64_t counter(const json::Value& hb, std::string_view name) {
  const json::Value* c = at(hb, {"metrics", "counters", name});
  return c != nullptr && c->kind == json::Value::Kind::kNumber
             ? static_cast<std::uint64_t>(c->number)
             : 0;
}

struct Hist {
  Stat stat;
  double mean = 0;
};
std::optional<Hist> histogram(const json::Value& hb, std::string_view name) {
  const json::Value* h = at(hb, {"metrics", "histograms", name});
  if (h == nullptr) return std::nullopt;
  Hist out;
  out.stat.p50 = h->number_at("p50").value_or(0);
  out.stat.p99 = h->number_at("p99").value_or(0);
  out.stat.max = h->number_at("max").value_or(0);
  out.stat.n = static_cast<std::uint64_t>(h->number_at("n").value_or(0));
  out.mean = h->number_at("mean").value_or(0);
  if (out.stat.n == 0) return std::nullopt;
  return out;
}

std::optional<json::Value> heartbeat(bus::Connection& c, std::string_view role) {
  auto r = bus::read_heartbeat(c, role);
  if (!r || !*r) return std::nullopt;
  auto v = json::parse(**r);
  if (!v) return std::nullopt;
  return std::move(*v);
}

std::vector<std::string> role_argv(const Env& env, std::string_view role, const Workload& w) {
  std::vector<std::string> a = {env.exe, std::string(role), "--redis",
                                env.url, "--log-level",     "warn"};
  auto set = [&](std::string kv) {
    a.emplace_back("--set");
    a.push_back(std::move(kv));
  };
  set("heartbeat.interval_ms=100");
  set("heartbeat.ttl_ms=600000");
  // The example strategy, loosened so it trades every few seconds, and a tight trailing stop,
  // so P2's cycle and the stop -> exit path are exercised (not a trading configuration).
  set("strategy.trigger=1s");
  set("strategy.intervals=1s");
  set("strategy.rsi_min=0");
  set("strategy.rsi_max=100");
  set("strategy.max_spread_bps=10000");
  if (w.any_trend) set("strategy.ema_uptrend=false");
  set("strategy.max_quote_age_ms=60000");
  set("stops.trail_pct=0.01");
  set("telemetry.http=");
  if (role != "ingest") return a;
  if (w.rt_priority > 0) set(fmt::format("ingest.rt_priority={}", w.rt_priority));
  // P1's tick queue holds the feed lag "sustained" allows (kLagLimitUs) at the session's rate:
  // the default 65,536 ticks are 14 ms at 4.8 M ev/s, and max_rate probes there lost 0.1% of
  // their ticks at the queue while P1's feed lag p99 was 5 ms (a stall of the bar thread on two
  // shared cores, not the rate). Sessions below ~650,000 ev/s keep the default.
  set(fmt::format("feed.queue_capacity={}", feed_queue_for(w)));
  if (w.sim) {
    set("feed.kind=sim");
    set(fmt::format("sim.symbols={}", w.symbols));
    set(fmt::format("sim.rate={}", w.rate));
    set(fmt::format("sim.open_burst={}", w.burst ? "true" : "false"));
    set(fmt::format("sim.seconds={}", w.seconds));
    set(fmt::format("sim.seed={}", w.seed));
    set("sim.speed=1");
  } else {
    set("feed.kind=replay");
    set("feed.path=" + w.file);
    set(fmt::format("feed.speed={}", w.speed));
  }
  return a;
}

Result<Child> start_role(const Env& env, std::string_view role, const Workload& w) {
  return Child::spawn(role_argv(env, role, w), env.dir + "/" + std::string(role) + ".log");
}

Status wait_ready(bus::Connection& c, Child& child, std::string_view role) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(kReadyTimeoutMs);
  while (Clock::now() < deadline) {
    if (heartbeat(c, role)) return ok();
    if (auto code = child.wait(0)) {
      return unavailable(fmt::format("{} exited with {} before it was ready; {}: {}", role, *code,
                                     child.log_path(), child.log_tail(600)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return timeout_error(
      fmt::format("{} not ready after {} ms; {}", role, kReadyTimeoutMs, child.log_path()));
}

// CPU time (user + system) of a running process in ms, from /proc/PID/stat; 0 if unreadable.
std::uint64_t cpu_ms(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(in, text);
  const auto close = text.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  std::uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {  // fields 14 and 15: utime, stime (ticks)
    if (i == 14) utime = std::strtoull(f.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(f.c_str(), nullptr, 10);
  }
  const long hz = ::sysconf(_SC_CLK_TCK);
  return hz > 0 ? (utime + stime) * 1000 / static_cast<std::uint64_t>(hz) : 0;
}

double rss_mb(const json::Value& hb) {
  return hb.number_at("rss_bytes").value_or(0) / (1024.0 * 1024.0);
}

}  // namespace

std::uint64_t feed_queue_for(const Workload& w) {
  constexpr std::uint64_t kDefaultFeedQueue = 1 << 16;  // feed.queue_capacity's default
  const double rate = w.sim ? w.rate : w.rate * w.speed;
  const auto want = static_cast<std::uint64_t>(rate * kLagLimitUs / 1e6);
  return std::max(kDefaultFeedQueue, std::bit_ceil(want));
}

namespace {
Status count_events_of(Workload& w) {
  Tick t;
  if (w.sim) {
    feed::SimOptions o;
    o.symbols = static_cast<std::uint32_t>(w.symbols);
    o.rate = w.rate;
    o.seed = w.seed;
    o.open_burst = w.burst;
    o.seconds = w.seconds;
    o.start_ns = 1'700'000'000'000'000'000;  // the count does not depend on the start
    HARRIER_ASSIGN_OR_RETURN(auto sim, feed::SimFeed::open(o));
    std::uint64_t n = 0;
    while (true) {
      HARRIER_ASSIGN_OR_RETURN(bool more, sim->next(t));
      if (!more) break;
      ++n;
    }
    w.events = n;
    w.session_s = w.seconds;
    w.text = fmt::format("sim: {} symbol{}, {:.0f} ev/s{}, {} s, seed {}", w.symbols,
                         w.symbols == 1 ? "" : "s", w.rate, w.burst ? " with the open burst" : "",
                         w.seconds, w.seed);
    return ok();
  }
  feed::ReplayOptions o;
  o.sources.push_back(feed::ReplaySource{});
  o.sources.back().path = w.file;
  auto opened = feed::ReplayFeed::open(o);
  if (!opened) return std::move(opened).error().with_context("--workload " + w.file);
  auto& f = **opened;
  std::uint64_t n = 0;
  TimestampNs first = 0, last = 0;
  while (true) {
    auto more = f.next(t);
    if (!more) return std::move(more).error().with_context("--workload " + w.file);
    if (!*more) break;
    if (n == 0) first = t.ts_ns;
    last = t.ts_ns;
    ++n;
  }
  if (n < 2 || last <= first) return invalid_input("--workload " + w.file + ": fewer than 2 ticks");
  const double span_s = static_cast<double>(last - first) / 1e9;
  w.events = n;
  w.symbols = static_cast<int>(f.symbols().size());
  w.rate = static_cast<double>(n) / span_s * w.speed;
  w.session_s = span_s / w.speed;
  w.text = fmt::format("{} replayed at {}x: {} symbol{}, {} events over {:.1f} s recorded", w.file,
                       w.speed, w.symbols, w.symbols == 1 ? "" : "s", n, span_s);
  return ok();
}
}  // namespace

Status count_events(Workload& w) {
  HARRIER_TRY(count_events_of(w));
  if (w.rt_priority > 0) {
    w.text += fmt::format("; P1's feed and bar threads at SCHED_FIFO {}", w.rt_priority);
  }
  return ok();
}

Status clear_session_keys(bus::Connection& c) {
  for (std::string_view pattern : bus::keys::session_key_patterns()) {
    std::string cursor = "0";
    do {
      HARRIER_ASSIGN_OR_RETURN(bus::Reply r,
                               c.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}));
      HARRIER_TRY(r.array());
      if (r.size() != 2) return protocol_error("SCAN: reply is not [cursor, keys]");
      HARRIER_ASSIGN_OR_RETURN(std::string_view next, r.at(0).string());
      cursor = std::string(next);
      const bus::ReplyView keys = r.at(1);
      std::vector<std::string> names;
      for (std::size_t i = 0; i < keys.size(); ++i) {
        HARRIER_ASSIGN_OR_RETURN(std::string_view k, keys.at(i).string());
        names.emplace_back(k);
      }
      if (!names.empty()) {
        std::vector<std::string_view> args = {"DEL"};
        for (const std::string& k : names) args.push_back(k);
        HARRIER_TRY(c.command(std::span<const std::string_view>(args)));
      }
    } while (cursor != "0");
  }
  return ok();
}

Result<ScenarioResult> run_session(const Env& env, const Workload& w, const SessionSettings& s) {
  bus::ConnectionConfig cc = env.redis;
  cc.client_name = "harrier-bench";
  bus::Connection conn(cc);
  HARRIER_TRY(clear_session_keys(conn));
  Probes probes(env.redis);
  SealWakeProbe seal_wake(env.redis);
  StopPathProbe stop_path(env.redis);

  ScenarioResult r;
  r.workload = w.text;
  r.burst = w.sim && w.burst;
  const std::uint64_t redis_cpu0 = env.redis_pid > 0 ? cpu_ms(env.redis_pid) : 0;

  // P2 and P3 first, so they are waiting on their streams when the first bar seals.
  HARRIER_ASSIGN_OR_RETURN(Child execute, start_role(env, "execute", w));
  HARRIER_ASSIGN_OR_RETURN(Child telemetry, start_role(env, "telemetry", w));
  HARRIER_TRY(wait_ready(conn, execute, "execute"));
  HARRIER_TRY(wait_ready(conn, telemetry, "telemetry"));
  HARRIER_ASSIGN_OR_RETURN(Child ingest, start_role(env, "ingest", w));
  HARRIER_TRY(wait_ready(conn, ingest, "ingest"));

  const auto t0 = Clock::now();
  TimerProbe timer(TimerProbe::Schedule::kGaps, w.rt_priority);
  // Only for the simulator, whose exchange times are the wall clock's: a replay's second
  // boundaries fall at some other phase of the wall clock's seconds.
  std::optional<TimerProbe> boundary_timer;
  if (w.sim) boundary_timer.emplace(TimerProbe::Schedule::kBoundaries, w.rt_priority);
  const auto deadline = t0 + std::chrono::milliseconds(static_cast<std::int64_t>(
                                 (w.session_s + s.deadline_slack_s) * 1e3));
  std::optional<Hist> prev_lag, prev_seal;
  std::uint64_t prev_processed = 0;
  double prev_ts = 0;
  std::uint64_t processed = 0, dropped = 0, rejected = 0;
  bool complete = false;
  for (int tick = 1;; ++tick) {
    for (int k = 0; k < s.floor_rounds; ++k) HARRIER_TRY(probes.round());
    // As many rows as P1's 1 s window holds by now (one a second, up to 120).
    HARRIER_TRY(seal_wake.round(static_cast<std::size_t>(tick / 10 + 1)));
    HARRIER_TRY(stop_path.round());
    std::this_thread::sleep_until(t0 + tick * kSample);
    if (auto hb = heartbeat(conn, "ingest")) {
      processed = counter(*hb, "ticks_processed");
      dropped = counter(*hb, "ticks_dropped");
      rejected = counter(*hb, "ticks_rejected");
      const double ts = hb->number_at("ts_ns").value_or(0);
      if (s.series && ts > prev_ts) {
        SeriesPoint p;
        p.t_s = (ts - hb->number_at("started_ns").value_or(ts)) / 1e9;
        auto lag = histogram(*hb, "feed_lag_us");
        auto seal = histogram(*hb, "seal_delay_us");
        auto window_mean = [](const std::optional<Hist>& now, const std::optional<Hist>& before) {
          if (!now) return -1.0;
          const double n0 = before ? static_cast<double>(before->stat.n) : 0;
          const double sum0 = before ? before->mean * n0 : 0;
          const double dn = static_cast<double>(now->stat.n) - n0;
          return dn > 0 ? std::max(0.0, (now->mean * static_cast<double>(now->stat.n) - sum0) / dn)
                        : -1.0;
        };
        p.feed_lag_us = window_mean(lag, prev_lag);
        p.seal_delay_us = window_mean(seal, prev_seal);
        p.feed_lag_p99_us = lag ? lag->stat.p99 : 0;
        if (prev_ts > 0) {
          p.events_per_s = static_cast<double>(processed - prev_processed) / ((ts - prev_ts) / 1e9);
        }
        r.series.push_back(p);
        prev_lag = lag;
        prev_seal = seal;
      }
      prev_ts = std::max(prev_ts, ts);
      prev_processed = processed;
    }
    if (tick % 10 == 0) {
      for (std::string_view role : {"ingest", "execute", "telemetry"}) {
        if (auto hb = heartbeat(conn, role)) {
          double& peak = r.rss_mb[std::string(role)];
          peak = std::max(peak, rss_mb(*hb));
        }
      }
      for (Child* c : {&ingest, &execute, &telemetry}) {
        if (auto code = c->wait(0)) {
          return unavailable(fmt::format("a role exited with {} during the session; {}: {}", *code,
                                         c->log_path(), c->log_tail(600)));
        }
      }
    }
    if (processed + dropped + rejected >= w.events) {
      complete = true;
      break;
    }
    if (Clock::now() >= deadline) break;
  }
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();
  r.floors["timer_us"] = timer.finish().stat();
  if (boundary_timer) r.floors["boundary_timer_us"] = boundary_timer->finish().stat();
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<std::int64_t>(s.settle_s * 1e3)));

  // CPU each role used over the whole session (a 2-core machine shares it with Redis).
  for (auto [c, role] : {std::pair{&ingest, "ingest"}, std::pair{&execute, "execute"},
                         std::pair{&telemetry, "telemetry"}}) {
    r.counters[std::string("cpu_ms_") + role] = cpu_ms(c->pid());
  }
  // The private Redis serves every session of the run: its CPU from this session's start on.
  if (env.redis_pid > 0) r.counters["cpu_ms_redis"] = cpu_ms(env.redis_pid) - redis_cpu0;

  // Teardown order (ARCHITECTURE §6): P3, P2, then P1 with a grace to flush.
  std::string exits;
  for (auto [c, role, grace] :
       {std::tuple{&telemetry, "telemetry", 5000}, std::tuple{&execute, "execute", 5000},
        std::tuple{&ingest, "ingest", 10000}}) {
    const int code = c->stop(grace);
    if (code != 0) exits += fmt::format(" {} exited with {} ({});", role, code, c->log_path());
  }

  // The last heartbeats ("stopped") hold the whole session's histograms.
  std::optional<json::Value> p1 = heartbeat(conn, "ingest");
  std::optional<json::Value> p2 = heartbeat(conn, "execute");
  std::optional<json::Value> p3 = heartbeat(conn, "telemetry");
  if (!p1) return unavailable("heartbeat:ingest is missing after the session");
  // A role's histogram `from`, when its heartbeat has one, as `as` in `into`.
  auto put = [&](std::map<std::string, Stat>& into, const std::optional<json::Value>& hb,
                 std::string_view from, const char* as) {
    if (!hb) return;
    if (auto h = histogram(*hb, from)) into[as] = h->stat;
  };
  put(r.metrics, p1, "feed_lag_us", "feed_lag_us");
  put(r.metrics, p1, "seal_delay_us", "seal_delay_us");
  put(r.metrics, p2, "wake_us", "wake_us");
  put(r.metrics, p2, "cycle_us", "cycle_us");
  put(r.metrics, p2, "trigger_to_exit_us", "stop_to_exit_us");
  r.metrics["frame_roundtrip_us"] = probes.frame().stat();
  r.floors["ping_us"] = probes.ping().stat();
  r.floors["setget_us"] = probes.setget().stat();
  r.floors["memcpy_us"] = probes.memcpy_ns().stat();
  r.floors["seal_wake_us"] = seal_wake.wake().stat();
  r.floors["stop_path_us"] = stop_path.path().stat();
  for (auto& [hb, role] :
       {std::pair{&p1, "ingest"}, std::pair{&p2, "execute"}, std::pair{&p3, "telemetry"}}) {
    if (!*hb) continue;
    double& peak = r.rss_mb[role];
    peak = std::max(peak, rss_mb(**hb));
  }
  for (const char* k :
       {"ticks_in", "ticks_processed", "ticks_dropped", "ticks_rejected", "late_ticks",
        "bars_sealed", "seals_written", "io_queue_drops", "backlog_drops", "quote_events",
        "quote_changes", "quote_writes", "sweeps"}) {
    r.counters[k] = counter(*p1, k);
  }
  if (p2) {
    for (const char* k : {"bars_evaluated", "orders_submitted", "entries", "exits"}) {
      r.counters[k] = counter(*p2, k);
    }
  }
  if (p3) {
    for (const char* k : {"exits_fired", "stop_hits_by_poll"}) r.counters[k] = counter(*p3, k);
  }
  // Parts and neighbours of the headline figures, reported beside them: P3's part of the stop
  // path (the read that showed the crossing to its XADD; the quote's exchange time to that
  // XADD), P1's bar end to seal (which includes waiting for the closing tick), P1's publish to
  // Redis running the seal's transaction (the part of the wake before any reader can have the
  // entry, whatever it does), P2's seal to decision (which includes queueing behind other
  // symbols of the same batch), P2's exit timed from when its stop could first fire (not
  // before the position's fill).
  put(r.extra, p3, "stop_to_exit_us", "p3_stop_seen_to_xadd_us");
  put(r.extra, p3, "quote_to_fire_us", "p3_quote_to_xadd_us");
  put(r.extra, p1, "bar_end_to_seal_us", "p1_bar_end_to_seal_us");
  put(r.extra, p1, "publish_to_commit_us", "p1_publish_to_commit_us");
  put(r.extra, p1, "closing_tick_lag_us", "p1_closing_tick_lag_us");
  put(r.extra, p1, "seal_work_us", "p1_seal_work_us");
  put(r.extra, p2, "seal_to_decision_us", "p2_seal_to_decision_us");
  put(r.extra, p2, "armed_to_exit_us", "p2_armed_to_exit_us");

  r.events = r.counters["ticks_processed"];
  r.events_per_s = static_cast<double>(r.events) / std::max(w.session_s, 1e-9);
  const std::uint64_t lost =
      r.counters["ticks_dropped"] + r.counters["io_queue_drops"] + r.counters["backlog_drops"];
  const double lag_p99 = r.metrics.count("feed_lag_us") ? r.metrics["feed_lag_us"].p99 : 0;
  r.sustained = false;
  if (!complete) {
    r.why = fmt::format("P1 processed {} of {} events by {:.1f} s (session {:.1f} s)", processed,
                        w.events, elapsed_s, w.session_s);
  } else if (lost > 0) {
    r.why = fmt::format("{} ticks or writes dropped", lost);
  } else if (lag_p99 >= kLagLimitUs) {
    r.why = fmt::format("feed lag p99 {:.0f} us >= 100 ms", lag_p99);
  } else {
    r.sustained = true;
  }
  if (!exits.empty()) r.why += (r.why.empty() ? "" : ";") + exits;
  log::info(kTag, "session done: {} events in {:.1f} s, feed lag p99 {:.0f} us{}", r.events,
            elapsed_s, lag_p99, r.sustained ? "" : ", not sustained: " + r.why);
  return r;
}

}  // namespace harrier::roles::bench
