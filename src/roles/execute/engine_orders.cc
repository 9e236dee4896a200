// The order half of the P2 loop (engine.h): submission with NX, broker events, fills, and the
// fail-closed path.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "bus/keys.h"
#include "bus/state.h"
#include "bus/streams.h"
#include "roles/execute/engine.h"
#include "roles/execute/engine_util.h"

namespace harrier::roles::execute {
namespace {

// The position after a plausible fill of an order of `purpose` on top of `held`, or nullopt
// when position:{sym} is left alone (an exit that flattens what only the broker's account holds).
std::optional<PositionRecord> fill_position(const broker::OrderEvent& e, Purpose purpose,
                                            const PositionRecord& held, TimestampNs now_ns) {
  const std::int64_t delta = e.side == Side::kBuy ? e.fill_qty : -e.fill_qty;
  if (purpose == Purpose::kExit && held.qty == 0) return std::nullopt;
  PositionRecord p = held;
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
  p.updated_ns = now_ns;
  if (after == 0) p = PositionRecord{};
  return p;
}

// A fill that matches the order it claims to fill (anything else fails closed).
bool plausible_fill(const broker::OrderEvent& e, const broker::OrderRequest& req) {
  return e.sym == req.sym && e.side == req.side && e.fill_qty > 0 && e.cum_qty <= req.qty &&
         std::isfinite(e.fill_price) && e.fill_price > 0 &&
         (e.kind == broker::EventKind::kFill) == (e.cum_qty == req.qty);
}

}  // namespace

FillWrite Engine::fill_write(const broker::OrderEvent& e, Purpose purpose,
                             const PositionRecord& held) const {
  FillWrite w;
  w.event = &e;
  w.purpose = purpose;
  w.now_ns = wall_now();
  w.stream_maxlen = static_cast<std::size_t>(ctx_.config.ingest.stream_maxlen);
  // paper:positions is the paper broker's own account; a real broker keeps its own.
  w.paper_account = ctx_.config.broker.kind == "paper";
  w.position = fill_position(e, purpose, held, w.now_ns);
  return w;
}

void Engine::note_fill(const broker::OrderEvent& e) {
  fills_.add();
  if (e.kind != broker::EventKind::kFill) return;
  auto it = tracked_.find(e.client_order_id);
  const Track& t = it->second;
  (t.purpose == Purpose::kEntry ? entries_ : exits_).add();
  log::info(kTag, "{} {} {} {} filled at avg {}", t.req.client_order_id, side_name(e.side),
            e.cum_qty, e.sym, e.avg_price);
  tracked_.erase(it);
}

std::vector<Result<Engine::Submit>> Engine::submit_all(const std::vector<NewOrder>& orders) {
  std::vector<Result<Submit>> out;
  out.reserve(orders.size());
  if (orders.empty()) return out;
  // order:{id} exists before the broker hears of the order, so no redelivery can send it twice.
  const TimestampNs now = wall_now();
  std::vector<bus::Fields> fields;
  fields.reserve(orders.size());
  std::vector<bus::OrderToCreate> creates;
  creates.reserve(orders.size());
  for (const NewOrder& o : orders) {
    fields.push_back(
        new_order_fields(o.req, o.purpose, strategy_->name(), o.iv, o.bar_start_ns, now));
    creates.push_back(bus::OrderToCreate{o.req.client_order_id, &fields.back()});
  }
  // The quotes the pump after these orders fills against ride in the creates' round trip: the
  // symbols with working orders now and those of the new orders.
  std::vector<std::string> quote_syms = broker_->working_symbols();
  for (const NewOrder& o : orders) {
    if (std::find(quote_syms.begin(), quote_syms.end(), o.req.sym) == quote_syms.end()) {
      quote_syms.push_back(o.req.sym);
    }
  }
  std::vector<std::string> quote_keys;
  quote_keys.reserve(quote_syms.size());
  for (const std::string& sym : quote_syms) quote_keys.push_back(bus::keys::quote(sym));
  std::vector<Result<std::optional<bus::Fields>>> hashes;
  std::vector<Result<bool>> created = bus::create_orders(conn_, creates, quote_keys, hashes);
  fresh_quotes_.clear();
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    if (!hashes[i]) continue;  // the pump reads it again and reports it
    auto q = parse_quote(*hashes[i], quote_keys[i]);
    if (!q) continue;
    if (*q) broker_->on_quote(quote_syms[i], **q);
    fresh_quotes_.push_back(std::move(quote_syms[i]));
  }
  fresh_commands_ = conn_.stats().commands;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const broker::OrderRequest& req = orders[i].req;
    if (!created[i]) {
      out.emplace_back(std::move(created[i]).error());
      continue;
    }
    if (!*created[i]) {
      out.emplace_back(Submit::kExists);
      continue;
    }
    if (auto st = broker_->submit(req); !st) {
      log::error(kTag, "order {} not accepted by the broker: {}", req.client_order_id,
                 st.error().to_string());
      auto rec =
          bus::update_order(conn_, req.client_order_id,
                            {{"state", "rejected"}, {"updated_ns", std::to_string(wall_now())}});
      if (!rec) {
        out.emplace_back(std::move(rec).error());
      } else {
        out.emplace_back(Submit::kSent);
      }
      continue;
    }
    orders_submitted_.add();
    Track t;
    t.req = req;
    t.purpose = orders[i].purpose;
    t.submitted_mono_ns = ctx_.clock.mono_ns();
    tracked_.emplace(req.client_order_id, std::move(t));
    out.emplace_back(Submit::kSent);
  }
  return out;
}

Status Engine::pump_broker(bool stage) {
  ++pumps_;
  if (unapplied_.empty()) {
    const std::vector<std::string> working = broker_->working_symbols();
    // Read with the orders just created, and no round trip since: the broker has them already.
    const bool fresh =
        conn_.stats().commands == fresh_commands_ &&
        std::all_of(working.begin(), working.end(), [&](const std::string& sym) {
          return std::find(fresh_quotes_.begin(), fresh_quotes_.end(), sym) != fresh_quotes_.end();
        });
    fresh_quotes_.clear();
    if (fresh && !working.empty()) {
      quotes_with_orders_.add();
    } else if (!working.empty()) {
      auto quotes = read_quotes(conn_, working);
      // As one read at a time would: the quotes before a failed one are used.
      for (std::size_t i = 0; i < working.size(); ++i) {
        if (!quotes[i]) return std::move(quotes[i]).error();
        if (*quotes[i]) broker_->on_quote(working[i], **quotes[i]);
      }
    }
    std::vector<broker::OrderEvent> events;
    HARRIER_TRY(broker_->poll(events));
    for (auto& e : events) unapplied_.push_back(std::move(e));
  }
  HARRIER_TRY(apply_events(stage));
  // Staged events are not written yet: the timeouts are checked by the loop's next pump.
  if (staged_) return ok();
  return check_timeouts();
}

Engine::EventRun Engine::plan_events() {
  // The leading run of ordinary events of unapplied_, planned against what P2 holds in memory
  // as if each event before it in the run were written.
  EventRun run;
  std::map<std::string, PositionRecord, std::less<>> positions;  // the run's view
  std::vector<std::string_view> finished;  // orders the run ends (tracked_ drops them)
  for (const broker::OrderEvent& e : unapplied_) {
    auto it = tracked_.find(e.client_order_id);
    if (it == tracked_.end() ||
        std::find(finished.begin(), finished.end(), e.client_order_id) != finished.end()) {
      break;  // an order P2 did not send (or has finished): apply() fails closed
    }
    Track& t = it->second;
    EventWrite w;
    Planned plan{&t, std::nullopt};
    const std::string now = std::to_string(wall_now());
    if (e.kind == broker::EventKind::kSubmitted || e.kind == broker::EventKind::kRejected ||
        e.kind == broker::EventKind::kCancelled) {
      w.client_order_id = e.client_order_id;
      w.fields = {{"state", std::string(broker::event_kind_name(e.kind))}, {"updated_ns", now}};
      if (e.kind != broker::EventKind::kSubmitted) finished.push_back(e.client_order_id);
    } else {
      auto sit = syms_.find(e.sym);
      // apply() fails closed on an implausible fill, or reads the symbol's state first.
      if (!plausible_fill(e, t.req) || sit == syms_.end()) break;
      auto pit = positions.find(e.sym);
      if (pit == positions.end()) pit = positions.emplace(e.sym, sit->second.position).first;
      FillWrite f = fill_write(e, t.purpose, pit->second);
      if (f.position) pit->second = *f.position;
      plan.position = f.position;
      w.fill = std::move(f);
      if (e.kind == broker::EventKind::kFill) finished.push_back(e.client_order_id);
    }
    run.writes.push_back(std::move(w));
    run.plans.push_back(plan);
  }
  return run;
}

void Engine::commit_events(const EventRun& run, const EventsWritten& done) {
  // Answered: every event tried, as the single path marks an order answered before writing.
  for (std::size_t i = 0; i <= done.written && i < run.plans.size(); ++i) {
    run.plans[i].track->answered = true;
  }
  for (std::size_t i = 0; i < done.written; ++i) {
    const broker::OrderEvent& e = unapplied_.front();
    const Planned& plan = run.plans[i];
    switch (e.kind) {
      case broker::EventKind::kSubmitted:
        break;
      case broker::EventKind::kRejected:
      case broker::EventKind::kCancelled:
        if (e.kind == broker::EventKind::kRejected) {
          log::error(kTag, "order {} rejected: {}", e.client_order_id, e.reason);
        }
        tracked_.erase(e.client_order_id);
        break;
      case broker::EventKind::kPartialFill:
      case broker::EventKind::kFill:
        if (plan.position) syms_.find(e.sym)->second.position = *plan.position;
        note_fill(e);
        break;
    }
    unapplied_.pop_front();
  }
}

Status Engine::apply_events(bool stage) {
  // Events are applied in order; one that cannot be written waits (with those after it) for
  // Redis to come back. A run of ordinary events is sent as one script and committed to memory
  // only for the events Redis confirmed.
  while (!unapplied_.empty()) {
    EventRun run = plan_events();
    if (run.writes.empty()) {
      // The front event takes the single path.
      HARRIER_TRY(apply(unapplied_.front()));
      unapplied_.pop_front();
      continue;
    }
    if (stage && run.writes.size() == unapplied_.size()) {
      // The last run rides in flush()'s round trip, ahead of the decisions, as it would be
      // written just before them; memory changes when Redis confirms it there.
      staged_ = std::move(run);
      return ok();
    }
    const EventsWritten done = write_events(conn_, run.writes);
    commit_events(run, done);
    HARRIER_TRY(done.error);
  }
  return ok();
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
  if (!plausible_fill(e, t.req)) {
    return mark_unknown(e.client_order_id, t.req.sym,
                        "unknown reply: a fill that does not match the order");
  }
  HARRIER_ASSIGN_OR_RETURN(SymState * st, sym_state(e.sym));
  const FillWrite w = fill_write(e, t.purpose, st->position);
  HARRIER_TRY(write_fill(conn_, w));
  if (w.position) st->position = *w.position;
  note_fill(e);
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
