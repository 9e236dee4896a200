#include "roles/telemetry/telemetry.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "broker/tws/ib_options.h"
#include "bus/events.h"
#include "bus/keys.h"
#include "bus/streams.h"
#include "core/log.h"
#include "roles/common/role.h"
#include "roles/telemetry/broker_positions.h"
#include "roles/telemetry/position_watchdog.h"
#include "roles/telemetry/prometheus.h"
#include "roles/telemetry/snapshot.h"
#include "roles/telemetry/stop_monitor.h"
#include "web/http_server.h"

namespace harrier::roles::telemetry {

namespace {

constexpr std::string_view kTag = "loop";
constexpr std::string_view kConsumer = "telemetry";
constexpr std::int64_t kPollBlockMs = 5;    // while stops are open
constexpr std::int64_t kIdleBlockMs = 100;  // otherwise (also the SIGTERM poll period)
constexpr std::int64_t kPendingIdleMs = 30000;

struct LoopMetrics {
  Counter* entries_seen;
  Counter* bad_inputs;
  Counter* redis_errors;
  Counter* http_requests;
  Gauge* redis_ping_us;
};

// Applies a batch of entry_fire entries and acknowledges what was handled. Returns the first
// Redis error (the rest stay pending; the 1 Hz position scan covers them meanwhile).
Status handle_entries(bus::Connection& conn, StopMonitor& stops,
                      const std::vector<bus::StreamEntry>& entries, LoopMetrics& m,
                      log::LogEvery& bad_log, const Clock& clock) {
  const std::string_view stream = bus::keys::stream_name(bus::keys::Stream::kEntryFire);
  std::vector<std::string> done;
  Status st = ok();
  for (const bus::StreamEntry& e : entries) {
    m.entries_seen->add();
    if (!e.deleted) {
      auto ev = bus::decode_entry_fire(e.fields);
      if (!ev) {
        m.bad_inputs->add();
        if (bad_log.allow(clock.mono_ns())) {
          log::warn(kTag, "{} {}: skipped: {}", stream, e.id, ev.error().to_string());
        }
      } else if (st = stops.on_entry(ev->sym); !st) {
        break;
      }
    }
    done.push_back(e.id);
  }
  if (!done.empty()) {
    if (auto a = bus::ack(conn, stream, bus::keys::kGroupTelemetry, done); !a && st) {
      st = a.error();
    }
  }
  return st;
}

Status start_up(bus::Connection& conn, StopMonitor& stops, LoopMetrics& m, log::LogEvery& bad_log,
                const Clock& clock) {
  const std::string_view stream = bus::keys::stream_name(bus::keys::Stream::kEntryFire);
  HARRIER_TRY(bus::ensure_group(conn, stream, bus::keys::kGroupTelemetry, "0"));
  HARRIER_ASSIGN_OR_RETURN(
      std::vector<bus::StreamEntry> pending,
      bus::recover_pending(conn, stream, bus::keys::kGroupTelemetry, kConsumer, kPendingIdleMs));
  HARRIER_TRY(stops.sync_all());  // resume every open position's stop first
  return handle_entries(conn, stops, pending, m, bad_log, clock);
}

// Sleeps until the connection may retry (at most 100 ms, so SIGTERM is seen promptly).
void back_off(const bus::Connection& conn) {
  const DurationNs wait = std::clamp<DurationNs>(conn.retry_in_ns(), kNsPerMs, 100 * kNsPerMs);
  std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
}

std::unique_ptr<web::HttpServer> start_http(RoleContext& ctx, const std::atomic<bool>& loop_ok) {
  auto addr = web::parse_listen_address(ctx.config.telemetry.http);
  if (!addr) return nullptr;  // validate() refused it already
  if (!web::is_loopback(*addr)) {
    log::warn(kTag,
              "telemetry.http {} is not a loopback address: /metrics is reachable from "
              "other hosts",
              ctx.config.telemetry.http);
  }
  // The scrape connection belongs to the http thread; shared_ptr only because std::function
  // must be copyable.
  auto scrape_conn =
      std::make_shared<bus::Connection>(redis_config(ctx.config, "harrier-telemetry-http"));
  std::vector<web::Route> routes;
  routes.push_back({"/metrics", [scrape_conn](const web::HttpRequest&) {
                      const BusSnapshot snap = collect_snapshot(*scrape_conn);
                      return web::HttpResponse{200, std::string(kPrometheusContentType),
                                               render_prometheus(snap)};
                    }});
  routes.push_back({"/healthz", [&ctx, &loop_ok](const web::HttpRequest&) {
                      if (ctx.ready() && loop_ok.load())
                        return web::HttpResponse{200, "text/plain", "ok\n"};
                      return web::HttpResponse{503, "text/plain",
                                               ctx.ready() ? "redis unreachable\n" : "starting\n"};
                    }});
  auto server = web::HttpServer::start(*addr, std::move(routes));
  if (!server) {
    log::error(kTag, "cannot serve /metrics: {}", server.error().to_string());
    return nullptr;
  }
  log::info(kTag, "serving /metrics and /healthz on http://{}:{}/", addr->host, (*server)->port());
  return std::move(server).value();
}

int body(RoleContext& ctx) {
  Metrics& mx = ctx.metrics;
  StopMetrics sm{&mx.gauge("stops_active", "open positions guarded by a trailing stop"),
                 &mx.counter("exits_fired", "exit_fire entries published for hit stops"),
                 &mx.counter("quotes_polled", "new quotes seen for guarded symbols"),
                 &mx.counter("bad_inputs", "entries, hashes and bars skipped as invalid"),
                 &mx.histogram("stop_to_exit_us", "quote seen crossing the stop -> XADD done")};
  WatchdogMetrics wm{&mx.counter("alerts", "watchdog alerts raised (stream:alert)"), sm.bad_inputs,
                     &mx.gauge("watchdog_mismatches", "position mismatches open")};
  LoopMetrics lm{&mx.counter("entries_seen", "stream:entry_fire entries read"), sm.bad_inputs,
                 &mx.counter("redis_errors", "failed Redis round trips of the loop"),
                 &mx.counter("http_requests", "HTTP responses sent"),
                 &mx.gauge("redis_ping_us", "PING round trip of the loop's connection")};

  const Config& cfg = ctx.config;
  auto scfg = stop_config(cfg);
  if (!scfg) return 2;  // validate() refused it already
  bus::Connection conn(ctx.redis, ctx.clock);
  StopMonitor stops(conn, *scfg, sm, ctx.clock);
  // broker.kind = ib: the watchdog reads TWS positions through P3's own client id.
  std::unique_ptr<IbPositionSource> ib_positions;
  if (cfg.broker.kind == "ib") {
    auto co = tws::connection_options(cfg.ib, tws::IbRole::kTelemetry);
    if (!co) return 2;  // validate() refused it already
    ib_positions = std::make_unique<IbPositionSource>(*co, ctx.clock);
  }
  PositionWatchdog watchdog(conn, cfg.telemetry.watchdog_flatten, scfg->stream_maxlen, wm,
                            ctx.clock, ib_positions.get());
  std::atomic<bool> loop_ok{false};
  std::unique_ptr<web::HttpServer> http;
  if (!cfg.telemetry.http.empty()) {
    http = start_http(ctx, loop_ok);
    if (!http) return 1;
  }

  log::LogEvery bad_log(5 * kNsPerSec), err_log(5 * kNsPerSec);
  auto report = [&](const Error& e, std::string_view what) {
    lm.redis_errors->add();
    loop_ok.store(false);
    if (err_log.allow(ctx.clock.mono_ns())) {
      log::warn(kTag, "{}: {} ({} similar suppressed)", what, e.to_string(), err_log.suppressed());
    }
  };

  while (!ctx.stopping()) {
    if (auto st = start_up(conn, stops, lm, bad_log, ctx.clock); st)
      break;
    else
      report(st.error(), "start-up");
    back_off(conn);
  }
  if (ctx.stopping()) return 0;
  loop_ok.store(true);
  ctx.mark_ready();

  const std::string_view stream = bus::keys::stream_name(bus::keys::Stream::kEntryFire);
  const std::int64_t wd_period = cfg.telemetry.watchdog_interval_ms * kNsPerMs;
  std::int64_t next_hb = ctx.clock.mono_ns() + kNsPerSec;
  std::int64_t next_wd = ctx.clock.mono_ns() + wd_period;
  bool need_group = false;
  // One turn of the loop; the first error ends the turn (and the loop backs off).
  auto turn = [&]() -> Status {
    if (need_group) {
      // After a failed read: a Redis that restarted empty (or a FLUSHALL) lost the group.
      HARRIER_TRY(bus::ensure_group(conn, stream, bus::keys::kGroupTelemetry, "0"));
      need_group = false;
    }
    const std::int64_t block = stops.unfired() > 0 ? kPollBlockMs : kIdleBlockMs;
    auto entries = bus::read_group(conn, stream, bus::keys::kGroupTelemetry, kConsumer, 64, block);
    if (!entries) {
      need_group = true;
      return std::move(entries).error();
    }
    HARRIER_TRY(handle_entries(conn, stops, *entries, lm, bad_log, ctx.clock));
    if (ib_positions) ib_positions->poll();
    if (stops.unfired() > 0) HARRIER_TRY(stops.poll_quotes());
    const std::int64_t now = ctx.clock.mono_ns();
    if (now >= next_hb) {
      next_hb = now + kNsPerSec;
      HARRIER_TRY(stops.sync_all());
      HARRIER_TRY(stops.refresh_atr());
      HARRIER_TRY(stops.recheck());
      HARRIER_ASSIGN_OR_RETURN(DurationNs ping, conn.ping());
      lm.redis_ping_us->set(static_cast<double>(ping) / 1e3);
      if (http) lm.http_requests->set(http->stats().requests.load());
    }
    if (now >= next_wd) {
      next_wd = now + wd_period;
      HARRIER_TRY(watchdog.check());
    }
    return ok();
  };
  while (!ctx.stopping()) {
    if (auto st = turn(); st) {
      loop_ok.store(true);
    } else {
      report(st.error(), "loop");
      back_off(conn);
    }
  }
  if (http) http->stop();
  log::info(kTag, "stopping: {} stops open, {} exits fired", stops.active(),
            sm.exits_fired->value());
  return 0;
}

}  // namespace

Status validate(const Config& cfg) {
  if (!cfg.telemetry.http.empty()) {
    if (auto a = web::parse_listen_address(cfg.telemetry.http); !a) {
      return invalid_input("key 'telemetry.http': " + a.error().message());
    }
  }
  if (auto s = stop_config(cfg); !s) return s.error();
  if (cfg.broker.kind == "ib")
    HARRIER_TRY(tws::connection_options(cfg.ib, tws::IbRole::kTelemetry));
  return ok();
}

int run(std::span<char*> args) {
  return run_role(args, "telemetry",
                  "P3: trailing stops on open positions (stream:exit_fire), the rogue-position "
                  "watchdog (stream:alert) and /metrics over HTTP.",
                  body, validate);
}

}  // namespace harrier::roles::telemetry
