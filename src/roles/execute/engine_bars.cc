// The new_bar half of the P2 loop (engine.h): a batch's trigger entries sorted, their bundles
// read in one pipeline, each decided by the strategy, the orders of a run of distinct symbols
// created NX together and submitted.
#include <algorithm>

#include "arrow/bar_codec.h"
#include "bus/bar_store.h"
#include "bus/keys.h"
#include "bus/state.h"
#include "roles/execute/engine.h"
#include "roles/execute/engine_util.h"
#include "roles/execute/order_id.h"

namespace harrier::roles::execute {

void Engine::sort_new_bar(const bus::StreamEntry& entry, bool redelivered, TimestampNs read_wall,
                          std::vector<Trigger>& triggers) {
  if (entry.deleted) {
    ack_new_bar_.push_back(entry.id);
    return;
  }
  auto ev = bus::decode_new_bar(entry.fields);
  if (!ev) {
    bad_entries_.add();
    log::error(kTag, "stream:new_bar {}: {} (acknowledged, skipped)", entry.id,
               ev.error().to_string());
    ack_new_bar_.push_back(entry.id);
    return;
  }
  if (!redelivered) {
    const TimestampNs from = ev->published_ns > 0 ? ev->published_ns : ev->sealed_ns;
    if (from > 0 && read_wall >= from) wake_.record(read_wall - from);
  }
  if (ev->iv != strategy_->trigger()) {
    bars_ignored_.add();
    ack_new_bar_.push_back(entry.id);
    return;
  }
  triggers.push_back(Trigger{entry.id, std::move(*ev)});
}

Status Engine::evaluate(const std::vector<Trigger>& triggers, bool redelivered) {
  // One bundle read per symbol (a symbol with two trigger entries is read once), all in one
  // pipeline: the last symbol of the batch no longer waits for a round trip per symbol before
  // it. Only the windows the strategy reads travel (HMGET; HGETALL when it reads all six).
  std::vector<std::string_view> syms;
  std::vector<std::size_t> slot(triggers.size());
  for (std::size_t i = 0; i < triggers.size(); ++i) {
    auto it = std::find(syms.begin(), syms.end(), triggers[i].ev.sym);
    slot[i] = static_cast<std::size_t>(it - syms.begin());
    if (it == syms.end()) syms.push_back(triggers[i].ev.sym);
  }
  load_sym_states(syms);  // symbols seen for the first time: their state in one round trip
  const std::int64_t t0 = ctx_.clock.mono_ns();
  auto bundles = bus::read_bundles(conn_, syms, reads_);
  if (!bundles) return std::move(bundles).error().with_context("stream:new_bar bundles");
  const DurationNs bundle_rt = ctx_.clock.mono_ns() - t0;
  bundle_batches_.add();
  // Runs of distinct symbols, in batch order (one run unless a symbol repeats).
  for (std::size_t first = 0; first < triggers.size();) {
    std::size_t end = first;
    std::vector<std::string_view> in_run;
    while (end < triggers.size() &&
           std::find(in_run.begin(), in_run.end(), triggers[end].ev.sym) == in_run.end()) {
      in_run.push_back(triggers[end].ev.sym);
      ++end;
    }
    HARRIER_TRY(evaluate_run(triggers, slot, *bundles, bundle_rt, first, end, redelivered));
    first = end;
  }
  return ok();
}

Status Engine::evaluate_run(const std::vector<Trigger>& triggers,
                            const std::vector<std::size_t>& slot,
                            const std::vector<Result<bus::Bundle>>& bundles,
                            DurationNs bundle_rt_ns, std::size_t first, std::size_t end,
                            bool redelivered) {
  std::vector<Evaluation> evals;
  std::vector<NewOrder> orders;
  Status stop = ok();  // the first Redis failure: what it hit, and what follows, stays pending
  auto skip = [&](const std::string& id, const Error& e) {
    bad_entries_.add();
    log::error(kTag, "stream:new_bar {}: {} (acknowledged, skipped)", id, e.to_string());
    ack_new_bar_.push_back(id);
  };
  for (std::size_t i = first; i < end; ++i) {
    const Trigger& t = triggers[i];
    Evaluation e;
    e.trigger = &t;
    std::optional<NewOrder> order;
    Status st = decide(t.ev, bundles[slot[i]], e, order);
    if (!st && transient(st.error())) {
      stop = std::move(st).error().with_context("stream:new_bar " + t.id);
      break;
    }
    if (!st) {
      skip(t.id, st.error());
      continue;
    }
    if (order) {
      e.order = orders.size();
      orders.push_back(std::move(*order));
    }
    evals.push_back(std::move(e));
  }
  // The run's entry orders: created in one round trip, then at the broker.
  const std::int64_t orders_t0 = ctx_.clock.mono_ns();
  const std::vector<Result<Submit>> sent = submit_all(orders);
  const DurationNs orders_ns = ctx_.clock.mono_ns() - orders_t0;
  bool any_sent = false;
  for (Evaluation& e : evals) {
    const Trigger& t = *e.trigger;
    DurationNs cycle = bundle_rt_ns + e.decide_ns;
    if (e.order) {
      const Result<Submit>& s = sent[*e.order];
      Status st = settle_entry(e, orders[*e.order], s);
      if (!st && transient(st.error())) {
        if (stop) stop = std::move(st).error().with_context("stream:new_bar " + t.id);
        continue;  // left pending
      }
      if (!st) {
        skip(t.id, st.error());
        continue;
      }
      if (e.decision == "entered") {
        any_sent = true;
        // The cycle ends with the order at the broker; applying its fills is the broker's
        // answer, timed by nothing here.
        cycle += orders_ns;
      }
    }
    if (e.decision != "entered") decisions_skipped_.add();
    cycle_.record(cycle);
    const TimestampNs decided = e.decided_wall != 0 ? e.decided_wall : wall_now();
    if (!redelivered && t.ev.sealed_ns > 0 && decided >= t.ev.sealed_ns) {
      seal_to_decision_.record(decided - t.ev.sealed_ns);
    }
    log::debug(kTag, "{} {} bar {}: {}{}", t.ev.sym, interval_name(t.ev.iv), t.ev.bar_start_ns,
               e.decision, redelivered ? " (redelivered)" : "");
    note_decision(t.ev.sym, *e.st, std::move(e.decision), t.ev.bar_start_ns);
    ack_new_bar_.push_back(t.id);
  }
  // A broker without latency fills now: apply it before the decisions are recorded. The
  // batch's last run leaves the writes of its events to flush(), in the decisions' round trip.
  if (any_sent) {
    if (auto st = pump_broker(end == triggers.size()); !st && stop) {
      stop = std::move(st).error().with_context("broker events after stream:new_bar");
    }
  }
  return stop;
}

void Engine::note_decision(const std::string& sym, SymState& st, std::string decision,
                           TimestampNs bar_ns) {
  // Only these three fields: halted and halt_reason stay as halt() last set them, so flush()
  // writes the symbol's whole current state and can never undo a halt made after the decision.
  st.engine.last_decision = std::move(decision);
  st.engine.last_bar_ns = bar_ns;
  st.engine.updated_ns = wall_now();
  decided_.push_back(sym);
}

Status Engine::decide(const bus::NewBarEvent& ev, const Result<bus::Bundle>& read, Evaluation& out,
                      std::optional<NewOrder>& order) {
  const std::int64_t t0 = ctx_.clock.mono_ns();
  HARRIER_ASSIGN_OR_RETURN(SymState * st, sym_state(ev.sym));
  if (!read) return read.error();
  const bus::Bundle& bundle = *read;
  out.st = st;

  strategy::BarBundle bars;
  for (Interval iv : kAllIntervals) {
    auto& decoded = decoded_[index_of(iv)];
    const auto& bytes = bundle.bars[index_of(iv)];
    if (!bytes) {
      decoded.clear();
      continue;
    }
    if (auto d = arrow::decode_bars_into(bytes_of(*bytes), decoded); !d) {
      bad_entries_.add();
      if (input_log_.allow(ctx_.clock.mono_ns())) {
        log::error(kTag, "bundle:{} field {}: {}", ev.sym, interval_name(iv),
                   d.error().to_string());
      }
      continue;
    }
    bars.bars[index_of(iv)] = decoded;
  }
  std::optional<strategy::Quote> quote;
  if (bundle.quote) {
    const bus::QuoteSnapshot& q = *bundle.quote;
    quote = strategy::Quote{q.bid, q.ask, q.bid_size, q.ask_size, q.last, q.ts_ns};
  }
  strategy::EngineState es;
  es.halted = st->engine.halted;
  es.position = st->position.qty;
  es.open_order = open_order(ev.sym);
  strategy::Context sctx{ev.sym, ev.iv, ev.bar_start_ns, bars, quote, es};
  strategy::Decision d = strategy_->evaluate(sctx);
  bars_evaluated_.add();

  if (d.enter) {
    NewOrder o;
    o.req.client_order_id =
        entry_order_id(strategy_->name(), ev.sym, d.side, ev.iv, ev.bar_start_ns);
    o.req.sym = ev.sym;
    o.req.side = d.side;
    o.req.qty = d.qty;
    o.req.type = d.type;
    o.req.limit_price = d.limit_price;
    o.purpose = Purpose::kEntry;
    o.iv = ev.iv;
    o.bar_start_ns = ev.bar_start_ns;
    if (quote) broker_->on_quote(ev.sym, *quote);
    order = std::move(o);
  } else {
    out.decision = d.reason == "halted" ? "halted" : "skipped:" + d.reason;
    out.decided_wall = wall_now();
  }
  out.decide_ns = ctx_.clock.mono_ns() - t0;
  return ok();
}

Status Engine::settle_entry(Evaluation& e, const NewOrder& order, const Result<Submit>& sent) {
  if (!sent) return sent.error();
  if (*sent == Submit::kSent) {
    e.decision = "entered";
    return ok();
  }
  // A redelivered or replayed bar: the order exists. It is a duplicate when finished or still
  // ours; otherwise an earlier run sent it and nobody knows what became of it.
  const std::string& id = order.req.client_order_id;
  HARRIER_ASSIGN_OR_RETURN(std::optional<bus::Fields> existing, bus::read_order(conn_, id));
  const std::string state(existing ? field(*existing, "state").value_or("?") : "missing");
  if (terminal_state(state)) {
    e.decision = "skipped:duplicate_order";
  } else if (tracked_.count(id) != 0) {
    e.decision = "skipped:open_order";
  } else {
    HARRIER_TRY(mark_unknown(id, order.req.sym,
                             "order exists from an earlier run in state '" + state +
                                 "' and the broker does not hold it"));
    e.decision = "halted";
  }
  return ok();
}

}  // namespace harrier::roles::execute
