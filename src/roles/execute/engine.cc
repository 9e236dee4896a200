#include "roles/execute/engine.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "broker/paper_broker.h"
#include "bus/bar_store.h"
#include "bus/keys.h"
#include "bus/state.h"
#include "roles/execute/engine_util.h"
#include "roles/execute/order_id.h"

namespace harrier::roles::execute {
namespace {

using bus::keys::Stream;

constexpr std::int64_t kIdleBlockMs = 100;  // SIGTERM is seen within this
constexpr std::int64_t kBusyBlockMs = 10;   // while orders work at the broker
constexpr std::int64_t kDeadConsumerIdleMs = 30'000;
constexpr std::size_t kReadCount = 64;
// An exit_fire whose trigger_ns is further from the wall clock is not timed (trigger_to_exit_us).
constexpr DurationNs kMaxTriggerAgeNs = 60 * kNsPerSec;

}  // namespace

Engine::Engine(RoleContext& ctx, std::unique_ptr<strategy::Strategy> strategy,
               std::unique_ptr<broker::Broker> broker)
    : ctx_(ctx),
      strategy_(std::move(strategy)),
      reads_(strategy_->reads()),
      broker_(std::move(broker)),
      conn_(ctx.redis, ctx.clock),
      bars_evaluated_(ctx.metrics.counter("bars_evaluated", "trigger bars evaluated")),
      bars_ignored_(ctx.metrics.counter("bars_ignored", "new_bar entries of other intervals")),
      bundle_batches_(ctx.metrics.counter(
          "bundle_batches", "bundle reads: one pipeline per read holding trigger entries")),
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
      reads_ahead_(ctx.metrics.counter(
          "reads_ahead", "reads of entries that came in the last flush's round trip (#7)")),
      quotes_with_orders_(ctx.metrics.counter(
          "quotes_with_orders",
          "broker pumps whose quotes came in the order creates' round trip (#7)")),
      events_with_decisions_(
          ctx.metrics.counter("events_with_decisions",
                              "runs of broker events written in the decisions' round trip (#7)")),
      wake_(ctx.metrics.histogram(
          "wake_us",
          "new_bar published_ns (P1's IO thread starts the write; sealed_ns when absent) to the "
          "XREADGROUP reply in P2's hands, every interval (wall)")),
      cycle_(ctx.metrics.histogram("cycle_us",
                                   "one evaluation: the batch's bundle round trip (one pipeline "
                                   "for all its symbols) + this entry's decode, strategy and "
                                   "order up to the broker accepting it (its fills not included)")),
      seal_to_decision_(ctx.metrics.histogram(
          "seal_to_decision_us",
          "new_bar sealed_ns to the trigger bar's decision (wall), the wait behind the earlier "
          "entries of its batch included")),
      trigger_to_exit_(ctx.metrics.histogram(
          "trigger_to_exit_us", "exit_fire trigger_ns (stop hit) to the exit order at the broker")),
      armed_to_exit_(ctx.metrics.histogram(
          "armed_to_exit_us",
          "the later of exit_fire trigger_ns and the position's opening (a stop crossed by a "
          "quote from before its fill could not fire before the fill) to the exit order at the "
          "broker")) {}

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
    redeliveries_.add(pending.size());
    // In batches of a read's size, so the bundles held at once stay bounded.
    for (std::size_t first = 0; first < pending.size(); first += kReadCount) {
      Entries batch;
      const std::size_t end = std::min(pending.size(), first + kReadCount);
      for (std::size_t i = first; i < end; ++i) batch.emplace_back(s, std::move(pending[i]));
      HARRIER_TRY(process(batch, true, 0, false));
    }
  }
  need_recover_ = false;
  return ok();
}

int Engine::run() {
  bool started = false;
  while (!ctx_.stopping()) {
    if (!started || need_recover_) {
      prefetched_.reset();  // what it holds is pending: recover() evaluates it again
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
    // Entries the last flush read in its own round trip come first; otherwise block.
    auto got = prefetched_ ? Result<Read>(std::move(*prefetched_))
                           : read_streams(busy ? kBusyBlockMs : kIdleBlockMs);
    prefetched_.reset();
    if (!got) {
      redis_errors_.add();
      if (redis_log_.allow(ctx_.clock.mono_ns())) {
        log::warn(kTag, "XREADGROUP: {} (retrying)", got.error().to_string());
      }
      need_recover_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (auto st = process(got->entries, false, got->wall_ns, !got->entries.empty()); !st) {
      redis_errors_.add();
      log::warn(kTag, "{} (left pending, retried when Redis answers)", st.error().to_string());
      need_recover_ = true;
    }
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

Result<Engine::Read> Engine::read_streams(std::int64_t block_ms) {
  const std::string count = std::to_string(kReadCount), block = std::to_string(block_ms);
  HARRIER_ASSIGN_OR_RETURN(
      bus::Reply r,
      conn_.command({"XREADGROUP", "GROUP", bus::keys::kGroupExecute, consumer_, "COUNT", count,
                     "BLOCK", block, "STREAMS", bus::keys::stream_name(Stream::kExitFire),
                     bus::keys::stream_name(Stream::kNewBar), ">", ">"},
                    block_ms * kNsPerMs + ctx_.redis.command_timeout_ns));
  return parse_read(r.view(), wall_now());
}

Result<Engine::Read> Engine::parse_read(const bus::ReplyView& r, TimestampNs wall_ns) {
  const std::string_view exit_s = bus::keys::stream_name(Stream::kExitFire);
  const std::string_view bar_s = bus::keys::stream_name(Stream::kNewBar);
  Read out;
  out.wall_ns = wall_ns;
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
    for (auto& e : entries) out.entries.emplace_back(which, std::move(e));
  }
  return out;
}

Status Engine::process(const Entries& entries, bool redelivered, TimestampNs read_wall,
                       bool prefetch) {
  bool exits_sent = false;
  Status st = handle_exits(entries, exits_sent);
  const std::uint64_t pumps = pumps_;
  if (st) {
    std::vector<Trigger> triggers;
    for (const auto& [stream, entry] : entries) {
      if (stream == Stream::kNewBar) sort_new_bar(entry, redelivered, read_wall, triggers);
    }
    if (!triggers.empty()) st = evaluate(triggers, redelivered);
  }
  if (st && exits_sent && pumps_ == pumps) {
    // No run pumped the broker after the exits went out: their events (a broker without latency
    // fills at once) are staged now and ride in the flush's round trip, ahead of the XACKs,
    // instead of a round trip of their own after it. A failure here is the loop's pump failing.
    if (auto ps = pump_broker(true); !ps) {
      redis_errors_.add();
      if (redis_log_.allow(ctx_.clock.mono_ns())) {
        log::warn(kTag, "broker events: {} (retrying)", ps.error().to_string());
      }
    }
  }
  // What was handled before a failure is still recorded and acknowledged.
  // After a failure the loop recovers first; nothing is read ahead of that.
  Status flushed = flush(prefetch && st);
  if (!st) return st;
  return flushed;
}

Status Engine::handle_exits(const Entries& entries, bool& sent_any) {
  struct Exit {
    const std::string* id;
    bus::ExitFireEvent ev;
  };
  std::vector<Exit> exits;
  std::vector<NewOrder> orders;
  Status stop = ok();
  auto skip = [&](const std::string& id, const Error& e) {
    bad_entries_.add();
    log::error(kTag, "stream:exit_fire {}: {} (acknowledged, skipped)", id, e.to_string());
    ack_exit_.push_back(id);
  };
  for (const auto& [stream, entry] : entries) {
    if (stream != Stream::kExitFire) continue;
    if (entry.deleted) {
      ack_exit_.push_back(entry.id);
      continue;
    }
    auto ev = bus::decode_exit_fire(entry.fields);
    if (!ev) {
      skip(entry.id, ev.error());
      continue;
    }
    auto order = exit_order(*ev);
    if (!order && transient(order.error())) {
      stop = std::move(order).error().with_context("stream:exit_fire " + entry.id);
      break;
    }
    if (!order) {
      skip(entry.id, order.error());
    } else if (!*order) {
      ack_exit_.push_back(entry.id);  // nothing to close
    } else {
      exits.push_back(Exit{&entry.id, std::move(*ev)});
      orders.push_back(std::move(**order));
    }
  }
  const std::vector<Result<Submit>> sent = submit_all(orders);
  for (std::size_t i = 0; i < exits.size(); ++i) {
    const Exit& x = exits[i];
    const broker::OrderRequest& req = orders[i].req;
    if (!sent[i] && transient(sent[i].error())) {
      if (stop) stop = Error(sent[i].error()).with_context("stream:exit_fire " + *x.id);
      continue;  // left pending
    }
    if (!sent[i]) {
      skip(*x.id, sent[i].error());
      continue;
    }
    if (*sent[i] == Submit::kExists) {
      log::warn(kTag, "exit_fire {} ({}): exit order {} exists already, not sent again", x.ev.sym,
                x.ev.reason, req.client_order_id);
    } else {
      sent_any = true;
      // trigger_ns is exchange time: comparable with the wall clock only for a live-like feed
      // (the simulator, a live broker), not for a replay of a past day, which is left out (#7).
      const TimestampNs now = wall_now();
      const DurationNs since_trigger = now - x.ev.trigger_ns;
      if (since_trigger >= 0 && since_trigger < kMaxTriggerAgeNs) {
        trigger_to_exit_.record(since_trigger);
        // opened_ns is wall time too (the broker's fill): comparable here, where trigger_ns is.
        armed_to_exit_.record(now - std::clamp(orders[i].opened_ns, x.ev.trigger_ns, now));
      }
      log::info(kTag, "exit {} {} {} ({}): order {}", x.ev.sym, side_name(req.side), req.qty,
                x.ev.reason, req.client_order_id);
    }
    ack_exit_.push_back(*x.id);
  }
  return stop;
}

Status Engine::flush(bool prefetch) {
  if (decided_.empty() && !prefetch && !staged_) return flush_acks();
  const bool die_before_ack = ctx_.config.execute.test_exit_before_ack;
  // With decisions: one MULTI/EXEC (decisions first, then the XACKs). Without: the XACKs alone,
  // as flush_acks sends them. Either way the next read, when asked for, follows in the same
  // round trip, without BLOCK: Redis runs it after the EXEC, so it never hands out an entry
  // before this batch is recorded.
  const bool txn = !decided_.empty();
  // The batch borrows these.
  std::vector<std::string> state_keys;
  std::vector<bus::Fields> fields;
  for (const std::string& sym : decided_) {
    std::string key = bus::keys::engine_state(sym, Side::kBuy);
    if (std::find(state_keys.begin(), state_keys.end(), key) != state_keys.end()) continue;
    state_keys.push_back(std::move(key));
    fields.push_back(engine_fields(syms_.find(sym)->second.engine));
  }
  const std::string_view group = bus::keys::kGroupExecute;
  const std::string count = std::to_string(kReadCount);
  bus::CommandBatch batch;
  // Broker events staged by the batch's last run go first, as pump_broker would have written
  // them just before the decisions.
  std::optional<EventsCall> events;
  if (staged_) {
    events.emplace(staged_->writes);
    events->append(batch);
  }
  const std::size_t first = batch.size();  // the first command of the decisions and XACKs
  if (txn) batch.add({"MULTI"});
  for (std::size_t i = 0; i < state_keys.size(); ++i) {
    // Replaced as bus::write_engine_state does: DEL, then HSET of every field.
    batch.add({"DEL", state_keys[i]});
    batch.begin();
    batch.arg("HSET");
    batch.arg(state_keys[i]);
    for (const auto& [k, v] : fields[i]) {
      batch.arg(k);
      batch.arg(v);
    }
  }
  for (auto [stream, ids] :
       {std::pair{Stream::kNewBar, &ack_new_bar_}, std::pair{Stream::kExitFire, &ack_exit_}}) {
    if (ids->empty() || (txn && die_before_ack)) continue;
    batch.begin();
    batch.arg("XACK");
    batch.arg(bus::keys::stream_name(stream));
    batch.arg(group);
    for (const std::string& id : *ids) batch.arg(id);
  }
  if (txn) batch.add({"EXEC"});
  const std::size_t writes = batch.size();  // the read, if any, is command `writes`
  if (prefetch) {
    batch.add({"XREADGROUP", "GROUP", group, consumer_, "COUNT", count, "STREAMS",
               bus::keys::stream_name(Stream::kExitFire), bus::keys::stream_name(Stream::kNewBar),
               ">", ">"});
  }
  std::vector<bus::Reply> replies;
  Status st = conn_.run(batch, replies);
  const TimestampNs read_wall = wall_now();
  Status events_st = ok();
  if (events) {
    const EventsWritten done = events->result(
        !replies.empty() ? Result<bus::ReplyView>(replies[0].view())
                         : Result<bus::ReplyView>(st ? internal_error("no reply") : st.error()));
    commit_events(*staged_, done);
    events_with_decisions_.add();
    events_st = done.error;
    staged_.reset();
  }
  for (std::size_t i = first; st && i < writes; ++i) {
    st = bus::check_reply(replies[i].view(), batch.describe(i));
  }
  if (st && txn) {
    const bus::Reply& exec = replies[writes - 1];
    if (exec.is_nil()) {
      st = unavailable("EXEC: transaction aborted");
    } else if (auto a = exec.array(); !a) {
      st = Error(a.error()).with_context("EXEC");
    } else {
      for (std::size_t i = 0; st && i < exec.size(); ++i) {
        st = bus::check_reply(exec.at(i), batch.describe(first + i + 1));
      }
    }
  }
  decided_.clear();
  ack_new_bar_.clear();
  ack_exit_.clear();
  if (!st) {
    // What the read handed out stays pending for recover(), with this batch's entries.
    return std::move(st).error().with_context(txn ? "decisions and XACK" : "XACK");
  }
  if (txn && die_before_ack) {
    // Test hook: die between the recorded decisions and the XACK, as a crash would.
    log::warn(kTag, "execute.test_exit_before_ack: SIGKILL before XACK");
    ::kill(::getpid(), SIGKILL);
  }
  if (!events_st) {
    // As a failed pump_broker after the batch: the loop recovers; what the read handed out
    // stays pending for it.
    return std::move(events_st).error().with_context("broker events");
  }
  if (prefetch) {
    Status rd = bus::check_reply(replies[writes].view(), batch.describe(writes));
    auto read = rd ? parse_read(replies[writes].view(), read_wall) : Result<Read>(rd.error());
    if (!read) return std::move(read).error();  // what it handed out is recovered
    if (!read->entries.empty()) {
      reads_ahead_.add();
      prefetched_ = std::move(*read);
    }
  }
  return ok();
}

Status Engine::flush_acks() {
  for (auto [stream, ids] :
       {std::pair{Stream::kNewBar, &ack_new_bar_}, std::pair{Stream::kExitFire, &ack_exit_}}) {
    if (ids->empty()) continue;
    auto n = bus::ack(conn_, bus::keys::stream_name(stream), bus::keys::kGroupExecute, *ids);
    if (!n) {
      ack_new_bar_.clear();
      ack_exit_.clear();
      return std::move(n).error();
    }
    ids->clear();
  }
  return ok();
}

// ---- decisions ---------------------------------------------------------------------------

Result<Engine::SymState*> Engine::sym_state(const std::string& sym) {
  if (auto it = syms_.find(sym); it != syms_.end()) return &it->second;
  // First sight of the symbol in this process: P2 is the only writer of both keys, so they are
  // read once and then kept in memory.
  HARRIER_ASSIGN_OR_RETURN(std::optional<bus::Fields> eng,
                           bus::read_engine_state(conn_, sym, Side::kBuy));
  HARRIER_ASSIGN_OR_RETURN(std::optional<bus::Fields> pos, bus::read_position(conn_, sym));
  return add_sym_state(sym, eng, pos);
}

void Engine::load_sym_states(const std::vector<std::string_view>& syms) {
  std::vector<std::string> fresh, keys;
  for (std::string_view sym : syms) {
    if (syms_.find(sym) != syms_.end() ||
        std::find(fresh.begin(), fresh.end(), sym) != fresh.end()) {
      continue;
    }
    fresh.emplace_back(sym);
    keys.push_back(bus::keys::engine_state(sym, Side::kBuy));
    keys.push_back(bus::keys::position(sym));
  }
  if (fresh.size() < 2) return;  // sym_state reads one alone
  auto got = bus::read_hashes(conn_, keys);
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    // A failed read is left to sym_state, which reads it again and reports the error.
    if (got[2 * i] && got[2 * i + 1]) add_sym_state(fresh[i], *got[2 * i], *got[2 * i + 1]);
  }
}

Engine::SymState* Engine::add_sym_state(const std::string& sym,
                                        const std::optional<bus::Fields>& eng,
                                        const std::optional<bus::Fields>& pos) {
  SymState st;
  if (eng) st.engine = parse_engine(*eng);
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

Result<std::optional<Engine::NewOrder>> Engine::exit_order(const bus::ExitFireEvent& ev) {
  HARRIER_ASSIGN_OR_RETURN(SymState * st, sym_state(ev.sym));
  NewOrder o;
  o.purpose = Purpose::kExit;
  o.iv = strategy_->trigger();
  o.bar_start_ns = ev.trigger_ns;
  broker::OrderRequest& req = o.req;
  req.sym = ev.sym;
  req.type = strategy::OrderType::kMarket;
  std::int64_t held = st->position.qty;
  o.opened_ns = st->position.opened_ns;
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
      return std::optional<NewOrder>();
    }
    req.client_order_id = flatten_order_id(ev.sym, ev.trigger_ns);
  } else {
    log::warn(kTag, "exit_fire {} ({}): no position, nothing to close", ev.sym, ev.reason);
    return std::optional<NewOrder>();
  }
  req.side = held > 0 ? Side::kSell : Side::kBuy;
  req.qty = held > 0 ? held : -held;
  return std::optional<NewOrder>(std::move(o));
}

}  // namespace harrier::roles::execute
