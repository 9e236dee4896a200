#include "roles/execute/engine.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "arrow/bar_codec.h"
#include "broker/paper_broker.h"
#include "bus/bar_store.h"
#include "bus/keys.h"
#include "bus/state.h"
#include "roles/execute/order_id.h"

namespace harrier::roles::execute {
namespace {

using bus::keys::Stream;

constexpr std::string_view kTag = "execute";
constexpr std::int64_t kIdleBlockMs = 100;  // SIGTERM is seen within this
constexpr std::int64_t kBusyBlockMs = 10;   // while orders work at the broker
constexpr std::int64_t kDeadConsumerIdleMs = 30'000;
constexpr std::size_t kReadCount = 64;
// An exit_fire whose trigger_ns is further from the wall clock is not timed (trigger_to_exit_us).
constexpr DurationNs kMaxTriggerAgeNs = 60 * kNsPerSec;

// Connection trouble: retry later without acknowledging. Anything else is bad input that
// retrying cannot fix.
bool transient(const Error& e) {
  return e.code() == ErrorCode::kUnavailable || e.code() == ErrorCode::kTimeout ||
         e.code() == ErrorCode::kProtocol || e.code() == ErrorCode::kIo;
}

bool terminal_state(std::string_view s) {
  return s == "filled" || s == "rejected" || s == "cancelled";
}

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

Engine::Engine(RoleContext& ctx, std::unique_ptr<strategy::Strategy> strategy,
               std::unique_ptr<broker::Broker> broker)
    : ctx_(ctx),
      strategy_(std::move(strategy)),
      broker_(std::move(broker)),
      conn_(ctx.redis, ctx.clock),
      bars_evaluated_(ctx.metrics.counter("bars_evaluated", "trigger bars evaluated")),
      bars_ignored_(ctx.metrics.counter("bars_ignored", "new_bar entries of other intervals")),
      orders_submitted_(ctx.metrics.counter("orders_submitted", "orders sent to the broker")),
      fills_(ctx.metrics.counter("fills", "fill events (partial and final)")),
      entries_(ctx.metrics.counter("entries", "entry orders completely filled")),
      exits_(ctx.metrics.counter("exits", "exit orders completely filled")),
      decisions_skipped_(ctx.metrics.counter("decisions_skipped", "evaluations without entry")),
      halted_symbols_(ctx.metrics.counter("halted_symbols", "symbols halted (fail closed)")),
      redeliveries_(ctx.metrics.counter("redeliveries", "entries recovered from pending")),
      orders_unknown_(ctx.metrics.counter("orders_unknown", "orders whose state is unknown")),
      bad_entries_(ctx.metrics.counter("bad_entries", "stream entries that did not decode")),
      redis_errors_(ctx.metrics.counter("redis_errors", "failed Redis round trips")),
      wake_(ctx.metrics.histogram("wake_us", "new_bar sealed (wall) to P2 read (wall)")),
      cycle_(ctx.metrics.histogram("cycle_us", "bundle read + strategy + order")),
      trigger_to_exit_(ctx.metrics.histogram(
          "trigger_to_exit_us",
          "exit_fire trigger_ns (stop hit) to the exit order at the broker")) {}

// ---- start-up and the loop -------------------------------------------------------------

Status Engine::start() {
  for (Stream s : {Stream::kNewBar, Stream::kExitFire}) {
    HARRIER_TRY(bus::ensure_group(conn_, bus::keys::stream_name(s), bus::keys::kGroupExecute, "0"));
  }
  // The paper broker's account survives restarts in paper:positions.
  if (auto* paper = dynamic_cast<broker::PaperBroker*>(broker_.get())) {
    HARRIER_ASSIGN_OR_RETURN(auto account, read_paper_account(conn_));
    for (const auto& [sym, qty] : account) paper->set_position(sym, qty);
  }
  return recover();
}

Status Engine::recover() {
  for (Stream s : {Stream::kExitFire, Stream::kNewBar}) {
    HARRIER_ASSIGN_OR_RETURN(
        std::vector<bus::StreamEntry> pending,
        bus::recover_pending(conn_, bus::keys::stream_name(s), bus::keys::kGroupExecute, consumer_,
                             kDeadConsumerIdleMs));
    if (!pending.empty()) {
      log::info(kTag, "recovering {} pending {} entries", pending.size(),
                bus::keys::stream_name(s));
    }
    for (const bus::StreamEntry& e : pending) {
      redeliveries_.add();
      auto st = handle(s, e, true);
      if (!st) {
        (void)flush_acks();
        return st;
      }
    }
    HARRIER_TRY(flush_acks());
  }
  need_recover_ = false;
  return ok();
}

int Engine::run() {
  bool started = false;
  while (!ctx_.stopping()) {
    if (!started || need_recover_) {
      auto st = started ? recover() : start();
      if (!st) {
        redis_errors_.add();
        if (redis_log_.allow(ctx_.clock.mono_ns())) {
          log::warn(kTag, "{}: {} (retrying)", started ? "recovery" : "start-up",
                    st.error().to_string());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      if (!started) ctx_.mark_ready();
      started = true;
    }
    const bool busy = !broker_->working_symbols().empty() || !unapplied_.empty() ||
                      std::any_of(tracked_.begin(), tracked_.end(),
                                  [](const auto& t) { return !t.second.answered; });
    auto got = read_streams(busy ? kBusyBlockMs : kIdleBlockMs);
    if (!got) {
      redis_errors_.add();
      if (redis_log_.allow(ctx_.clock.mono_ns())) {
        log::warn(kTag, "XREADGROUP: {} (retrying)", got.error().to_string());
      }
      need_recover_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    for (const auto& [stream, entry] : *got) {
      auto st = handle(stream, entry, false);
      if (!st) {
        redis_errors_.add();
        log::warn(kTag, "{} {}: {} (left pending, retried when Redis answers)",
                  bus::keys::stream_name(stream), entry.id, st.error().to_string());
        need_recover_ = true;
        break;
      }
    }
    if (auto st = flush_acks(); !st) need_recover_ = true;
    if (auto st = pump_broker(); !st) {
      redis_errors_.add();
      if (redis_log_.allow(ctx_.clock.mono_ns())) {
        log::warn(kTag, "broker events: {} (retrying)", st.error().to_string());
      }
    }
  }
  log::info(kTag, "stopping: {} orders still tracked", tracked_.size());
  return 0;
}

Result<std::vector<std::pair<Stream, bus::StreamEntry>>> Engine::read_streams(
    std::int64_t block_ms) {
  const std::string count = std::to_string(kReadCount), block = std::to_string(block_ms);
  const std::string_view exit_s = bus::keys::stream_name(Stream::kExitFire);
  const std::string_view bar_s = bus::keys::stream_name(Stream::kNewBar);
  HARRIER_ASSIGN_OR_RETURN(
      bus::Reply r,
      conn_.command({"XREADGROUP", "GROUP", bus::keys::kGroupExecute, consumer_, "COUNT", count,
                     "BLOCK", block, "STREAMS", exit_s, bar_s, ">", ">"},
                    block_ms * kNsPerMs + ctx_.redis.command_timeout_ns));
  std::vector<std::pair<Stream, bus::StreamEntry>> out;
  if (r.is_nil()) return out;
  auto bad = [](const Error& e) { return Error(e).with_context("XREADGROUP execute"); };
  if (auto s = r.array(); !s) return bad(s.error());
  // Reply: [[stream, [[id, [f, v, ...]], ...]], ...] in the order the streams were named.
  for (std::size_t i = 0; i < r.size(); ++i) {
    bus::ReplyView item = r.at(i);
    if (auto s = item.array(); !s || item.size() != 2) {
      return bad(protocol_error("stream item is not [name, entries]"));
    }
    auto name = item.at(0).string();
    if (!name) return bad(name.error());
    Stream which = *name == exit_s ? Stream::kExitFire : Stream::kNewBar;
    if (*name != exit_s && *name != bar_s) return bad(protocol_error("unexpected stream"));
    HARRIER_ASSIGN_OR_RETURN(std::vector<bus::StreamEntry> entries, bus::parse_entries(item.at(1)));
    for (auto& e : entries) out.emplace_back(which, std::move(e));
  }
  return out;
}

Status Engine::handle(Stream stream, const bus::StreamEntry& entry, bool redelivered) {
  auto& acks = stream == Stream::kNewBar ? ack_new_bar_ : ack_exit_;
  if (entry.deleted) {
    acks.push_back(entry.id);
    return ok();
  }
  Status st = ok();
  if (stream == Stream::kNewBar) {
    auto ev = bus::decode_new_bar(entry.fields);
    if (!ev) {
      bad_entries_.add();
      log::error(kTag, "stream:new_bar {}: {} (acknowledged, skipped)", entry.id,
                 ev.error().to_string());
    } else if (ev->iv != strategy_->trigger()) {
      bars_ignored_.add();
    } else {
      st = on_new_bar(*ev, redelivered);
    }
  } else {
    auto ev = bus::decode_exit_fire(entry.fields);
    if (!ev) {
      bad_entries_.add();
      log::error(kTag, "stream:exit_fire {}: {} (acknowledged, skipped)", entry.id,
                 ev.error().to_string());
    } else {
      st = on_exit_fire(*ev);
    }
  }
  if (!st && transient(st.error())) return st;
  if (!st) {
    bad_entries_.add();
    log::error(kTag, "{} {}: {} (acknowledged, skipped)", bus::keys::stream_name(stream), entry.id,
               st.error().to_string());
  }
  acks.push_back(entry.id);
  return ok();
}

Status Engine::flush_acks() {
  for (auto [stream, ids] :
       {std::pair{Stream::kNewBar, &ack_new_bar_}, std::pair{Stream::kExitFire, &ack_exit_}}) {
    if (ids->empty()) continue;
    auto n = bus::ack(conn_, bus::keys::stream_name(stream), bus::keys::kGroupExecute, *ids);
    if (!n) return std::move(n).error();
    ids->clear();
  }
  return ok();
}

// ---- decisions ---------------------------------------------------------------------------

Result<Engine::SymState*> Engine::sym_state(const std::string& sym) {
  if (auto it = syms_.find(sym); it != syms_.end()) return &it->second;
  // First sight of the symbol in this process: P2 is the only writer of both keys, so they are
  // read once and then kept in memory.
  SymState st;
  HARRIER_ASSIGN_OR_RETURN(std::optional<bus::Fields> eng,
                           bus::read_engine_state(conn_, sym, Side::kBuy));
  if (eng) st.engine = parse_engine(*eng);
  HARRIER_ASSIGN_OR_RETURN(std::optional<bus::Fields> pos, bus::read_position(conn_, sym));
  if (pos) {
    auto p = parse_position(*pos);
    if (!p) {
      // A position P2 cannot read: never open more on top of it.
      log::error(kTag, "{}: {}", bus::keys::position(sym), p.error().to_string());
      st.engine.halted = true;
      st.engine.halt_reason = "unreadable position:" + sym;
    } else {
      st.position = *p;
    }
  }
  if (st.engine.halted) {
    halted_symbols_.add();
    log::warn(kTag, "{} is halted: {}", sym, st.engine.halt_reason);
  }
  return &syms_.emplace(sym, std::move(st)).first->second;
}

bool Engine::open_order(const std::string& sym) const {
  return std::any_of(tracked_.begin(), tracked_.end(),
                     [&](const auto& t) { return t.second.req.sym == sym; });
}

Status Engine::record_decision(const std::string& sym, SymState& st, std::string decision,
                               TimestampNs bar_ns) {
  EngineRecord rec = st.engine;
  rec.last_decision = std::move(decision);
  rec.last_bar_ns = bar_ns;
  rec.updated_ns = SystemClock::instance().now_ns();
  HARRIER_TRY(bus::write_engine_state(conn_, sym, Side::kBuy, engine_fields(rec)));
  st.engine = std::move(rec);
  return ok();
}

Status Engine::on_new_bar(const bus::NewBarEvent& ev, bool redelivered) {
  const TimestampNs read_wall = SystemClock::instance().now_ns();
  if (!redelivered && ev.sealed_ns > 0 && read_wall >= ev.sealed_ns) {
    wake_.record(read_wall - ev.sealed_ns);
  }
  const std::int64_t t0 = ctx_.clock.mono_ns();
  HARRIER_ASSIGN_OR_RETURN(SymState * st, sym_state(ev.sym));
  HARRIER_ASSIGN_OR_RETURN(bus::Bundle bundle, bus::read_bundle(conn_, ev.sym));

  strategy::BarBundle bars;
  for (Interval iv : kAllIntervals) {
    auto& out = decoded_[index_of(iv)];
    out.clear();
    const auto& bytes = bundle.bars[index_of(iv)];
    if (!bytes) continue;
    auto d = arrow::decode_bars(bytes_of(*bytes));
    if (!d) {
      bad_entries_.add();
      if (input_log_.allow(ctx_.clock.mono_ns())) {
        log::error(kTag, "bundle:{} field {}: {}", ev.sym, interval_name(iv),
                   d.error().to_string());
      }
      continue;
    }
    out = std::move(*d);
    bars.bars[index_of(iv)] = out;
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

  std::string decision;
  if (d.enter) {
    broker::OrderRequest req;
    req.client_order_id = entry_order_id(strategy_->name(), ev.sym, d.side, ev.iv, ev.bar_start_ns);
    req.sym = ev.sym;
    req.side = d.side;
    req.qty = d.qty;
    req.type = d.type;
    req.limit_price = d.limit_price;
    if (quote) broker_->on_quote(ev.sym, *quote);
    HARRIER_ASSIGN_OR_RETURN(Submit s, submit(req, Purpose::kEntry, ev.iv, ev.bar_start_ns));
    if (s == Submit::kSent) {
      decision = "entered";
      // A broker without latency fills now: apply it before the decision is recorded.
      HARRIER_TRY(pump_broker());
    } else {
      // A redelivered or replayed bar: the order exists. It is a duplicate when finished or
      // still ours; otherwise an earlier run sent it and nobody knows what became of it.
      HARRIER_ASSIGN_OR_RETURN(std::optional<bus::Fields> existing,
                               bus::read_order(conn_, req.client_order_id));
      const std::string state(existing ? field(*existing, "state").value_or("?") : "missing");
      if (terminal_state(state)) {
        decision = "skipped:duplicate_order";
      } else if (tracked_.count(req.client_order_id) != 0) {
        decision = "skipped:open_order";
      } else {
        HARRIER_TRY(mark_unknown(req.client_order_id, ev.sym,
                                 "order exists from an earlier run in state '" + state +
                                     "' and the broker does not hold it"));
        decision = "halted";
      }
    }
  } else {
    decision = d.reason == "halted" ? "halted" : "skipped:" + d.reason;
  }
  if (decision != "entered") decisions_skipped_.add();
  cycle_.record(ctx_.clock.mono_ns() - t0);
  HARRIER_TRY(record_decision(ev.sym, *st, decision, ev.bar_start_ns));
  log::debug(kTag, "{} {} bar {}: {}{}", ev.sym, interval_name(ev.iv), ev.bar_start_ns, decision,
             redelivered ? " (redelivered)" : "");
  if (ctx_.config.execute.test_exit_before_ack) {
    // Test hook: die between the recorded decision and the XACK, as a crash would.
    log::warn(kTag, "execute.test_exit_before_ack: SIGKILL before XACK");
    ::kill(::getpid(), SIGKILL);
  }
  return ok();
}

Status Engine::on_exit_fire(const bus::ExitFireEvent& ev) {
  HARRIER_ASSIGN_OR_RETURN(SymState * st, sym_state(ev.sym));
  broker::OrderRequest req;
  req.sym = ev.sym;
  req.type = strategy::OrderType::kMarket;
  std::int64_t held = st->position.qty;
  if (held != 0) {
    // Stop adding to the position before closing it.
    const std::string& entry_id = st->position.entry_order_id;
    if (auto it = tracked_.find(entry_id); it != tracked_.end() && broker_->working(entry_id)) {
      (void)broker_->cancel(entry_id);
    }
    req.client_order_id =
        entry_id.empty() ? flatten_order_id(ev.sym, ev.trigger_ns) : exit_order_id(entry_id);
  } else if (ev.reason == "watchdog_flatten") {
    // A position nobody opened: flatten what the broker's account holds.
    HARRIER_ASSIGN_OR_RETURN(held, read_paper_position(conn_, ev.sym));
    if (held == 0) {
      log::info(kTag, "exit_fire {} watchdog_flatten: the paper account is flat", ev.sym);
      return ok();
    }
    req.client_order_id = flatten_order_id(ev.sym, ev.trigger_ns);
  } else {
    log::warn(kTag, "exit_fire {} ({}): no position, nothing to close", ev.sym, ev.reason);
    return ok();
  }
  req.side = held > 0 ? Side::kSell : Side::kBuy;
  req.qty = held > 0 ? held : -held;
  HARRIER_ASSIGN_OR_RETURN(Submit s,
                           submit(req, Purpose::kExit, strategy_->trigger(), ev.trigger_ns));
  if (s == Submit::kExists) {
    log::warn(kTag, "exit_fire {} ({}): exit order {} exists already, not sent again", ev.sym,
              ev.reason, req.client_order_id);
  } else {
    // trigger_ns is exchange time: comparable with the wall clock only for a live-like feed (the
    // simulator, a live broker), not for a replay of a past day, which is left out (#7).
    const DurationNs since_trigger = SystemClock::instance().now_ns() - ev.trigger_ns;
    if (since_trigger >= 0 && since_trigger < kMaxTriggerAgeNs) {
      trigger_to_exit_.record(since_trigger);
    }
    log::info(kTag, "exit {} {} {} ({}): order {}", ev.sym, side_name(req.side), req.qty, ev.reason,
              req.client_order_id);
  }
  return ok();
}

}  // namespace harrier::roles::execute
