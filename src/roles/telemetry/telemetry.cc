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
#include "roles/telemetry/quote_stream.h"
#include "roles/telemetry/snapshot.h"
#include "roles/telemetry/stop_monitor.h"
#include "web/http_server.h"

namespace harrier::roles::telemetry {

namespace {

constexpr std::string_view kTag = "loop";
constexpr std::string_view kConsumer = "telemetry";
// The read blocks this long at most (also the SIGTERM poll period): quotes wake it.
constexpr std::int64_t kBlockMs = 100;
// Entries per stream per read.
constexpr std::size_t kReadCount = 256;
// The quote:{sym} poll once stream:quote has delivered a quote to every unfired stop: a slow
// fallback (P1 restarting, say).
constexpr DurationNs kFallbackPollNs = 250 * kNsPerMs;
// Until then (a P1 build that does not publish stream:quote, or a new stop P1 does not know
// yet: it learns of new positions from stream:entry_fire at once and of stops:guarded within
// 50 ms), stops are polled as before issue #7: the read blocks 5 ms and every turn polls (P1
// writes quote:{sym} at most every 10 ms).
constexpr std::int64_t kPollBlockMs = 5;
constexpr std::int64_t kPendingIdleMs = 30000;

struct LoopMetrics {
  Counter* entries_seen;
  Counter* bad_inputs;
  Counter* redis_errors;
  Counter* http_requests;
  Gauge* redis_ping_us;
};

// Applies a batch of entry_fire entries and acknowledges them: their positions guarded together
// (StopMonitor::on_entries), each caught up with the quotes that came before its stop, the
// exits that crossed fired together. Returns the first Redis error; then none is acknowledged
// (they stay pending; the 1 Hz position scan covers them meanwhile).
Status handle_entries(bus::Connection& conn, StopMonitor& stops, QuoteStream& quotes,
                      const std::vector<bus::StreamEntry>& entries, LoopMetrics& m,
                      log::LogEvery& bad_log, const Clock& clock) {
  if (entries.empty()) return ok();
  const std::string_view stream = bus::keys::stream_name(bus::keys::Stream::kEntryFire);
  std::vector<std::string> done, syms;
  std::vector<bus::EntryFireEvent> fills;
  for (const bus::StreamEntry& e : entries) {
    m.entries_seen->add();
    done.push_back(e.id);
    if (e.deleted) continue;
    auto ev = bus::decode_entry_fire(e.fields);
    if (!ev) {
      m.bad_inputs->add();
      if (bad_log.allow(clock.mono_ns())) {
        log::warn(kTag, "{} {}: skipped: {}", stream, e.id, ev.error().to_string());
      }
      continue;
    }
    if (std::find(syms.begin(), syms.end(), ev->sym) == syms.end()) syms.push_back(ev->sym);
    fills.push_back(std::move(*ev));
  }
  HARRIER_TRY(stops.on_entries(syms));
  for (const bus::EntryFireEvent& ev : fills) quotes.catch_up(ev.sym, ev.ts_ns);
  HARRIER_TRY(stops.fire_pending());
  HARRIER_TRY(bus::ack(conn, stream, bus::keys::kGroupTelemetry, done));
  return ok();
}

Status start_up(bus::Connection& conn, StopMonitor& stops, QuoteStream& quotes, LoopMetrics& m,
                log::LogEvery& bad_log, const Clock& clock) {
  const std::string_view entry_stream = bus::keys::stream_name(bus::keys::Stream::kEntryFire);
  const std::string_view quote_stream = bus::keys::stream_name(bus::keys::Stream::kQuote);
  HARRIER_TRY(ensure_loop_groups(conn));
  HARRIER_ASSIGN_OR_RETURN(std::vector<bus::StreamEntry> pending,
                           bus::recover_pending(conn, entry_stream, bus::keys::kGroupTelemetry,
                                                kConsumer, kPendingIdleMs));
  HARRIER_ASSIGN_OR_RETURN(std::vector<bus::StreamEntry> pending_quotes,
                           bus::recover_pending(conn, quote_stream, bus::keys::kGroupTelemetry,
                                                kConsumer, kPendingIdleMs));
  // Resume every open position's stop first; this also replaces stops:guarded whole.
  HARRIER_TRY(stops.sync_all());
  // Quotes read by a previous life and not acknowledged: applied in order (a crossing among
  // them fires now; the exit_fired marker keeps it to one exit), then acknowledged.
  HARRIER_TRY(quotes.handle(pending_quotes, clock.now_ns()));
  return handle_entries(conn, stops, quotes, pending, m, bad_log, clock);
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
  StopMetrics sm{
      &mx.gauge("stops_active", "open positions guarded by a trailing stop"),
      &mx.counter("exits_fired", "exit_fire entries published for hit stops"),
      &mx.counter("quotes_polled", "new quotes seen for guarded symbols"),
      &mx.counter("bad_inputs", "entries, hashes and bars skipped as invalid"),
      &mx.counter("stop_hits_by_poll",
                  "stop crossings found by the quote:{sym} poll, not on stream:quote"),
      &mx.histogram("stop_to_exit_us", "read reply with the crossing quote -> XADD done"),
      &mx.histogram("quote_to_fire_us",
                    "crossing quote's ts_ns -> XADD done (live-like feeds only)")};
  QuoteStreamMetrics qm{
      &mx.counter("quote_entries", "stream:quote entries read"),
      &mx.counter("quotes_unguarded", "stream:quote entries for a symbol without an unfired stop"),
      sm.bad_inputs};
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
  QuoteStream quotes(conn, stops, qm, ctx.clock);
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
    if (auto st = start_up(conn, stops, quotes, lm, bad_log, ctx.clock); st)
      break;
    else
      report(st.error(), "start-up");
    back_off(conn);
  }
  if (ctx.stopping()) return 0;
  loop_ok.store(true);
  ctx.mark_ready();

  const std::int64_t wd_period = cfg.telemetry.watchdog_interval_ms * kNsPerMs;
  std::int64_t next_hb = ctx.clock.mono_ns() + kNsPerSec;
  std::int64_t next_wd = ctx.clock.mono_ns() + wd_period;
  std::int64_t next_poll = ctx.clock.mono_ns() + kFallbackPollNs;
  bool need_group = false;
  bus::CommandBatch batch;
  std::vector<bus::Reply> replies;
  // One turn of the loop; the first error ends the turn (and the loop backs off).
  auto turn = [&]() -> Status {
    if (need_group) {
      // After a failed read: a Redis that restarted empty (or a FLUSHALL) lost the groups.
      HARRIER_TRY(ensure_loop_groups(conn));
      need_group = false;
    }
    const bool fast_poll = stops.unstreamed() > 0;
    // The last reply's acknowledgements and stop saves ride ahead of the read (one write).
    batch.clear();
    quotes.stage(batch);
    auto read = read_loop_streams(conn, batch, replies, kConsumer, kReadCount,
                                  fast_poll ? kPollBlockMs : kBlockMs, ctx.clock);
    Status staged = quotes.finish(batch, replies);
    if (!read) {
      need_group = true;
      return std::move(read).error();
    }
    // Quotes first: a crossing is the latency-critical path (issue #7).
    if (!read->quote.empty()) HARRIER_TRY(quotes.handle(read->quote, read->reply_wall_ns));
    HARRIER_TRY(handle_entries(conn, stops, quotes, read->entry_fire, lm, bad_log, ctx.clock));
    HARRIER_TRY(staged);  // after the entries read in the same round trip are handled
    if (ib_positions) ib_positions->poll();
    const std::int64_t now = ctx.clock.mono_ns();
    if (stops.unfired() > 0 && (fast_poll || now >= next_poll)) {
      next_poll = now + kFallbackPollNs;
      HARRIER_TRY(stops.poll_quotes());
    }
    if (now >= next_hb) {
      next_hb = now + kNsPerSec;
      HARRIER_TRY(quotes.flush());
      HARRIER_TRY(stops.sync_all());
      HARRIER_TRY(stops.refresh_atr());
      HARRIER_TRY(stops.recheck());
      HARRIER_TRY(stops.assert_guarded());
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
  // What the last reply left to write (its acknowledgements, the stops it moved): a clean stop
  // leaves nothing pending.
  if (auto st = quotes.flush(); !st) report(st.error(), "stopping");
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
