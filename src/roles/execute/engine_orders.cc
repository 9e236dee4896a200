// The order half of the P2 loop (engine.h): submission with NX, broker events, fills, and the
// fail-closed path.
#include <algorithm>
#include <cmath>

#include "bus/keys.h"
#include "bus/state.h"
#include "bus/streams.h"
#include "roles/execute/engine.h"

namespace harrier::roles::execute {
namespace {

constexpr std::string_view kTag = "execute";

TimestampNs wall_now() { return SystemClock::instance().now_ns(); }

}  // namespace

Result<Engine::Submit> Engine::submit(const broker::OrderRequest& req, Purpose purpose, Interval iv,
                                      TimestampNs bar_start_ns) {
  // order:{id} exists before the broker hears of the order, so no redelivery can send it twice.
  HARRIER_ASSIGN_OR_RETURN(bool created,
                           bus::create_order(conn_, req.client_order_id,
                                             new_order_fields(req, purpose, strategy_->name(), iv,
                                                              bar_start_ns, wall_now())));
  if (!created) return Submit::kExists;
  if (auto st = broker_->submit(req); !st) {
    log::error(kTag, "order {} not accepted by the broker: {}", req.client_order_id,
               st.error().to_string());
    HARRIER_TRY(
        bus::update_order(conn_, req.client_order_id,
                          {{"state", "rejected"}, {"updated_ns", std::to_string(wall_now())}}));
    return Submit::kSent;
  }
  orders_submitted_.add();
  Track t;
  t.req = req;
  t.purpose = purpose;
  t.submitted_mono_ns = ctx_.clock.mono_ns();
  tracked_.emplace(req.client_order_id, std::move(t));
  return Submit::kSent;
}

Status Engine::pump_broker() {
  if (unapplied_.empty()) {
    for (const std::string& sym : broker_->working_symbols()) {
      HARRIER_ASSIGN_OR_RETURN(std::optional<strategy::Quote> q, read_quote(conn_, sym));
      if (q) broker_->on_quote(sym, *q);
    }
    std::vector<broker::OrderEvent> events;
    HARRIER_TRY(broker_->poll(events));
    for (auto& e : events) unapplied_.push_back(std::move(e));
  }
  // Events are applied in order; one that cannot be written waits (with those after it) for
  // Redis to come back.
  while (!unapplied_.empty()) {
    HARRIER_TRY(apply(unapplied_.front()));
    unapplied_.pop_front();
  }
  return check_timeouts();
}

Status Engine::apply(const broker::OrderEvent& e) {
  auto it = tracked_.find(e.client_order_id);
  if (it == tracked_.end()) {
    return mark_unknown(e.client_order_id, e.sym,
                        "unknown reply: " + std::string(broker::event_kind_name(e.kind)) +
                            " for an order this process did not send");
  }
  Track& t = it->second;
  t.answered = true;
  const std::string now = std::to_string(wall_now());
  switch (e.kind) {
    case broker::EventKind::kSubmitted:
      return bus::update_order(conn_, e.client_order_id,
                               {{"state", "submitted"}, {"updated_ns", now}});
    case broker::EventKind::kRejected:
    case broker::EventKind::kCancelled: {
      const std::string state(broker::event_kind_name(e.kind));
      HARRIER_TRY(
          bus::update_order(conn_, e.client_order_id, {{"state", state}, {"updated_ns", now}}));
      if (e.kind == broker::EventKind::kRejected) {
        log::error(kTag, "order {} rejected: {}", e.client_order_id, e.reason);
      }
      tracked_.erase(it);
      return ok();
    }
    case broker::EventKind::kPartialFill:
    case broker::EventKind::kFill:
      break;
  }
  const bool plausible = e.sym == t.req.sym && e.side == t.req.side && e.fill_qty > 0 &&
                         e.cum_qty <= t.req.qty && std::isfinite(e.fill_price) &&
                         e.fill_price > 0 &&
                         (e.kind == broker::EventKind::kFill) == (e.cum_qty == t.req.qty);
  if (!plausible) {
    return mark_unknown(e.client_order_id, t.req.sym,
                        "unknown reply: a fill that does not match the order");
  }
  HARRIER_ASSIGN_OR_RETURN(SymState * st, sym_state(e.sym));
  FillWrite w;
  w.event = &e;
  w.purpose = t.purpose;
  w.now_ns = wall_now();
  w.stream_maxlen = static_cast<std::size_t>(ctx_.config.ingest.stream_maxlen);
  // paper:positions is the paper broker's own account; a real broker keeps its own.
  w.paper_account = ctx_.config.broker.kind == "paper";
  const std::int64_t delta = e.side == Side::kBuy ? e.fill_qty : -e.fill_qty;
  const bool flatten_only = t.purpose == Purpose::kExit && st->position.qty == 0;
  if (!flatten_only) {
    PositionRecord p = st->position;
    const std::int64_t after = p.qty + delta;
    if (p.qty == 0) {
      p.entry_order_id = e.client_order_id;
      p.opened_ns = e.ts_ns;
      p.avg_price = e.fill_price;
    } else if ((p.qty > 0) == (delta > 0) && after != 0) {
      p.avg_price =
          (p.avg_price * static_cast<double>(p.qty) + e.fill_price * static_cast<double>(delta)) /
          static_cast<double>(after);
    }
    p.qty = after;
    p.updated_ns = w.now_ns;
    if (after == 0) p = PositionRecord{};
    w.position = p;
  }
  HARRIER_TRY(write_fill(conn_, w));
  if (w.position) st->position = *w.position;
  fills_.add();
  if (e.kind == broker::EventKind::kFill) {
    (t.purpose == Purpose::kEntry ? entries_ : exits_).add();
    log::info(kTag, "{} {} {} {} filled at avg {}", t.req.client_order_id, side_name(e.side),
              e.cum_qty, e.sym, e.avg_price);
    tracked_.erase(it);
  }
  return ok();
}

Status Engine::check_timeouts() {
  const std::int64_t now = ctx_.clock.mono_ns();
  const std::int64_t limit = ctx_.config.broker.order_timeout_ms * kNsPerMs;
  std::vector<std::pair<std::string, std::string>> late;
  for (const auto& [id, t] : tracked_) {
    if (!t.answered && now - t.submitted_mono_ns > limit) late.emplace_back(id, t.req.sym);
  }
  for (const auto& [id, sym] : late) {
    HARRIER_TRY(mark_unknown(
        id, sym,
        "no broker answer after " + std::to_string(ctx_.config.broker.order_timeout_ms) + " ms"));
  }
  return ok();
}

Status Engine::mark_unknown(const std::string& id, const std::string& sym, const std::string& why) {
  log::error(kTag, "order {} ({}): state unknown: {}; no new entries for {}", id, sym, why, sym);
  if (bus::keys::validate_order_id(id)) {
    auto st = bus::update_order(conn_, id,
                                {{"state", "unknown"}, {"updated_ns", std::to_string(wall_now())}});
    if (!st && st.error().code() != ErrorCode::kNotFound) return st;
  }
  HARRIER_TRY(halt(sym, "order_state_unknown:" + id));
  HARRIER_TRY(
      bus::publish(conn_,
                   bus::AlertEvent{sym, "order_state_unknown",
                                   "order " + id + ": " + why + "; entries halted", wall_now()},
                   static_cast<std::size_t>(ctx_.config.ingest.stream_maxlen)));
  orders_unknown_.add();
  tracked_.erase(id);
  return ok();
}

Status Engine::halt(const std::string& sym, const std::string& reason) {
  HARRIER_ASSIGN_OR_RETURN(SymState * st, sym_state(sym));
  const bool was = st->engine.halted;
  EngineRecord rec = st->engine;
  rec.halted = true;
  rec.halt_reason = reason;
  rec.updated_ns = wall_now();
  HARRIER_TRY(bus::write_engine_state(conn_, sym, Side::kBuy, engine_fields(rec)));
  st->engine = std::move(rec);
  if (!was) halted_symbols_.add();
  return ok();
}

}  // namespace harrier::roles::execute
