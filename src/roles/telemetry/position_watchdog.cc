#include "roles/telemetry/position_watchdog.h"

#include <cmath>
#include <optional>

#include "bus/keys.h"
#include "bus/streams.h"
#include "core/text.h"
#include "roles/telemetry/positions.h"

namespace harrier::roles::telemetry {

namespace {
constexpr std::string_view kTag = "watchdog";
}  // namespace

PositionWatchdog::PositionWatchdog(bus::Connection& conn, bool flatten, std::size_t stream_maxlen,
                                   WatchdogMetrics metrics, const Clock& wall,
                                   BrokerPositionSource* source)
    : conn_(conn),
      flatten_(flatten),
      maxlen_(stream_maxlen),
      m_(metrics),
      wall_(wall),
      source_(source) {}

Status PositionWatchdog::check() {
  std::optional<BrokerRead> read;
  if (source_ != nullptr) {
    HARRIER_ASSIGN_OR_RETURN(read, source_->read());
    if (!read) return ok();  // the broker's positions are unknown now: no comparison
  } else {
    HARRIER_ASSIGN_OR_RETURN(read, PaperPositionSource(conn_).read());
  }
  BrokerRead& broker = *read;
  HARRIER_ASSIGN_OR_RETURN(PositionRead engine, read_positions(conn_));
  for (const Error& e : broker.bad) {
    m_.bad_inputs->add();
    if (bad_log_.allow(wall_.mono_ns())) log::warn(kTag, "skipped: {}", e.to_string());
  }
  risk::PositionMap engine_held;
  for (const auto& [sym, p] : engine.open) engine_held[sym] = p.qty;
  for (const auto& [sym, e] : engine.bad) {
    // The engine's view of this symbol is unreadable: leave it out of the comparison rather
    // than raise a rogue_position for it (the stop monitor reports the bad hash).
    broker.held.erase(sym);
  }
  const std::vector<risk::Mismatch> raise_now = watchdog_.check(broker.held, engine_held);
  m_.mismatches->set(static_cast<double>(watchdog_.open_mismatches()));
  for (const risk::Mismatch& m : raise_now) HARRIER_TRY(raise(m));
  return ok();
}

Status PositionWatchdog::raise(const risk::Mismatch& m) {
  const std::string detail = risk::describe(m);
  m_.alerts->add();
  if (alert_log_.allow(wall_.mono_ns())) {
    log::warn(kTag, "{} {}: {} ({} similar lines suppressed)", risk::mismatch_kind_name(m.kind),
              m.sym, detail, alert_log_.suppressed());
  }
  bus::AlertEvent a{m.sym, std::string(risk::mismatch_kind_name(m.kind)), detail, wall_.now_ns()};
  HARRIER_TRY(bus::publish(conn_, a, maxlen_));
  if (flatten_ && m.broker_qty != 0) HARRIER_TRY(flatten(m));
  return ok();
}

Status PositionWatchdog::flatten(const risk::Mismatch& m) {
  // Exit side: selling a long hits the bid, buying back a short lifts the ask.
  HARRIER_ASSIGN_OR_RETURN(bus::Reply r,
                           conn_.command({"HMGET", bus::keys::quote(m.sym),
                                          m.broker_qty > 0 ? "bid" : "ask", "last", "ts_ns"}));
  std::optional<double> px;
  TimestampNs ts = 0;
  if (r.array() && r.size() == 3) {
    for (std::size_t i = 0; i < 2 && !px; ++i) {
      auto s = r.at(i).string_or_nil();
      if (!s || !*s) continue;
      auto d = text::parse_double(**s);
      if (d && std::isfinite(*d) && *d > 0) px = *d;
    }
    auto t = r.at(2).string_or_nil();
    if (t && *t) ts = text::parse_int(**t).value_or(0);
  }
  if (!px || ts <= 0) {
    log::warn(kTag, "{}: watchdog_flatten not sent: no usable quote:{}", m.sym, m.sym);
    return ok();
  }
  bus::ExitFireEvent e{m.sym, "watchdog_flatten", *px, ts};
  HARRIER_TRY(bus::publish(conn_, e, maxlen_));
  log::warn(kTag, "{}: watchdog_flatten requested at {}", m.sym, *px);
  return ok();
}

}  // namespace harrier::roles::telemetry
