// The P2 loop (issue #5). One thread ("main") owns the Redis connection, the strategy and the
// broker:
//
//   start   XGROUP CREATE (idempotent) on stream:new_bar and stream:exit_fire for group
//           "execute"; load paper:positions into the paper broker; recover what this consumer
//           left pending and what dead consumers left idle (each counts as a redelivery).
//   loop    XREADGROUP BLOCK (<= 100 ms, 10 ms while orders work) on both streams at once;
//           the entries of one reply are handled as a batch, exit_fire entries first. P2's Redis
//           work per batch is a fixed number of round trips, not a few per order (#7):
//     exit_fire: each decides its exit: sell the position (MKT, id "x-"+entry id); for reason
//           watchdog_flatten with no position:{sym}, flatten what paper:positions holds. Then
//           every exit's order:{id} is created with NX in one round trip and the created ones
//           are submitted. Exits go through even when the symbol is halted.
//     new_bar: wake_us is recorded for every entry (every interval). Entries of the trigger
//           interval are evaluated: the bundles of all of them are read in one pipeline
//           (HMGET bundle:{sym} per symbol, one round trip); then, in runs of distinct symbols
//           (one run unless a symbol repeats), each has its windows decoded and the strategy
//           evaluated, the run's entry orders are created with NX in one round trip, the created
//           ones submitted, and the broker pumped (below). Other intervals are acknowledged
//           unevaluated (bars_ignored).
//     then  one round trip (flush): the broker events of the batch's last pump when they were
//           staged for it (below), then one MULTI/EXEC: engine_state:{sym}:buy of every symbol
//           decided (the decisions), then XACK of every entry handled (plain XACKs when nothing
//           was decided), then an XREADGROUP without BLOCK that Redis runs after the EXEC: the
//           next batch of a boundary's burst costs no round trip of its own (reads_ahead). A
//           command refused at queue time aborts the transaction, so no entry is acknowledged
//           without its decision.
//     broker: quote:{sym} of every symbol with working orders in one pipeline (none when the
//           orders just created brought them: submit_all reads the quotes of the working
//           symbols and of its orders in the creates' pipeline, and the pump right after uses
//           them when no command went out in between: quotes_with_orders), poll, and apply
//           the events in order: a run of them is written by one Lua script in one round trip
//           (each fill one transaction: order:{id}, paper:positions, position:{sym},
//           stream:entry_fire for entries) that stops at the first event it cannot write; P2's
//           memory changes only for the events Redis confirmed, and the rest wait in unapplied_.
//           The batch's last pump (after its last run's orders, or after its exits when no run
//           sent any) stages its last run of events instead: the script goes first in flush's
//           round trip, where the decisions would have followed it anyway (events_with_decisions).
//           A batch with entry orders is so three round trips: bundles, creates with quotes,
//           flush (four before the quotes rode with the creates).
//   fail closed: an order with no broker answer after broker.order_timeout_ms, an event for an
//           order P2 did not send, or an order found from an earlier run that the broker does not
//           hold, becomes state "unknown": the symbol is halted (engine_state halted=1 and a
//           reason), the error is logged and counted, and stream:alert gets kind
//           order_state_unknown. Only an operator clears the halt (HSET halted 0).
//
// order:{id} always exists before the broker hears of the order, so a redelivered new_bar or
// exit_fire never sends an order twice; an order whose create reply was lost is never sent (its
// entry stays pending and, redelivered, finds it existing: the fail-closed path above).
// An entry is acknowledged only after its work is recorded; after a Redis failure the entries
// not yet acknowledged stay pending and the loop re-reads its own pending entries once Redis is
// back, so delivery is at-least-once and orders stay idempotent through their client order ids.
//
// Latencies (wall clock unless said): wake_us, new_bar published_ns (sealed_ns when absent) to
// the XREADGROUP reply in hand; cycle_us (monotonic), per evaluation, the batch's bundle round
// trip + this entry's decode + strategy (+ for an entry, the run's order round trip and
// submissions); seal_to_decision_us, sealed_ns to this entry's decision (an entry's: its order
// at the broker), so the wait behind the batch's earlier entries shows there. Redelivered entries
// are not timed.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/broker.h"
#include "bus/bar_store.h"
#include "bus/connection.h"
#include "bus/events.h"
#include "bus/streams.h"
#include "core/log.h"
#include "roles/common/role.h"
#include "roles/execute/order_store.h"
#include "strategy/strategy.h"

namespace harrier::roles::execute {

class Engine {
 public:
  // `ctx` must outlive the engine.
  Engine(RoleContext& ctx, std::unique_ptr<strategy::Strategy> strategy,
         std::unique_ptr<broker::Broker> broker);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs until ctx.stopping(); returns the exit code (0 after a clean stop).
  int run();

 private:
  struct SymState {
    EngineRecord engine;
    PositionRecord position;  // qty 0: flat
  };
  struct Track {  // an order this process sent
    broker::OrderRequest req;
    Purpose purpose = Purpose::kEntry;
    bool answered = false;
    std::int64_t submitted_mono_ns = 0;
  };
  enum class Submit : std::uint8_t { kSent, kExists };

  using Entries = std::vector<std::pair<bus::keys::Stream, bus::StreamEntry>>;
  struct Read {
    Entries entries;          // exit_fire first
    TimestampNs wall_ns = 0;  // when the reply was in hand
  };
  struct Trigger {  // a new_bar entry of the trigger interval, to evaluate
    std::string id;
    bus::NewBarEvent ev;
  };

  struct NewOrder {  // an order to create (NX) and submit
    broker::OrderRequest req;
    Purpose purpose = Purpose::kEntry;
    Interval iv = Interval::k1m;
    TimestampNs bar_start_ns = 0;
    TimestampNs opened_ns = 0;  // an exit: when the position it closes opened (its fill, wall)
  };
  struct Evaluation {  // a trigger bar decided, waiting for its order (if any) to go out
    const Trigger* trigger = nullptr;
    SymState* st = nullptr;
    std::string decision;              // set once decided; "" while its order is pending
    std::optional<std::size_t> order;  // index into the run's orders
    DurationNs decide_ns = 0;          // monotonic: its decode, strategy and state
    TimestampNs decided_wall = 0;      // when decided without an order
  };

  Status start();
  Status recover();
  Result<Read> read_streams(std::int64_t block_ms);
  // The entries of an XREADGROUP reply on both streams (nil: none), in hand at `wall_ns`.
  static Result<Read> parse_read(const bus::ReplyView& r, TimestampNs wall_ns);
  // Handles the entries of one read (exit_fire first, then new_bar), then writes the decisions
  // and the acknowledgements (flush). ok when all are acknowledged; after a failure the entries
  // not acknowledged are left pending. `redelivered`: recovered from pending (not timed).
  // `prefetch`: flush also reads the next entries (prefetched_) in its round trip.
  Status process(const Entries& entries, bool redelivered, TimestampNs read_wall, bool prefetch);
  // Handles the batch's exit_fire entries: each decides its exit order, then all the orders are
  // created in one round trip and submitted (`sent_any` set when one reached the broker). An
  // entry is queued for acknowledgement once its order is at the broker, exists already, or it
  // needs none; after a Redis failure the error is returned and the entries it touched (and
  // those not reached) stay pending.
  Status handle_exits(const Entries& entries, bool& sent_any);
  // The exit order an exit_fire asks for; nullopt when there is nothing to close (logged).
  Result<std::optional<NewOrder>> exit_order(const bus::ExitFireEvent& ev);
  // Queues a new_bar entry for acknowledgement (deleted, bad, another interval) or appends it
  // to `triggers`.
  void sort_new_bar(const bus::StreamEntry& entry, bool redelivered, TimestampNs read_wall,
                    std::vector<Trigger>& triggers);
  // Reads the bundles of `triggers` in one round trip and evaluates them in runs of distinct
  // symbols (evaluate_run), so a symbol's second bar in one batch is decided after its first
  // bar's order is out and its fills are applied.
  Status evaluate(const std::vector<Trigger>& triggers, bool redelivered);
  // Decides each trigger of [first, end) in turn, creates the entry orders in one round trip
  // and submits them, then applies the broker's events (pump_broker) and queues each handled
  // entry for acknowledgement. A Redis failure stops the batch: the trigger it hit (and those
  // not reached) stay pending, the others are recorded.
  Status evaluate_run(const std::vector<Trigger>& triggers, const std::vector<std::size_t>& slot,
                      const std::vector<Result<bus::Bundle>>& bundles, DurationNs bundle_rt_ns,
                      std::size_t first, std::size_t end, bool redelivered);
  // Decodes the windows and runs the strategy; fills `out` (decision set unless an order is
  // wanted, in which case `order` holds it).
  Status decide(const bus::NewBarEvent& ev, const Result<bus::Bundle>& bundle, Evaluation& out,
                std::optional<NewOrder>& order);
  // The decision of an evaluation whose entry order was created and submitted (kSent), found
  // existing (kExists: a redelivered or replayed bar), or failed.
  Status settle_entry(Evaluation& e, const NewOrder& order, const Result<Submit>& sent);
  // The decisions of decided_ and the queued acknowledgements in one MULTI/EXEC (flush_acks
  // alone when nothing was decided). On failure nothing queued is kept: the entries stay
  // pending and are evaluated again by recover(). With `prefetch`, the same round trip ends
  // with a non-blocking XREADGROUP of both streams, run by Redis after the EXEC; what it hands
  // out goes to prefetched_, which run() takes before blocking again (in a boundary's burst
  // the next batch costs no round trip of its own). Entries it handed out when the flush
  // failed stay pending and are recovered as redeliveries.
  Status flush(bool prefetch = false);
  Status flush_acks();

  // The symbol's state, read from Redis (engine_state, position) at its first sight.
  Result<SymState*> sym_state(const std::string& sym);
  // Reads the state of every symbol not yet seen in one round trip (two or more of them; one is
  // left to sym_state). A read that fails is left to sym_state, which reports it.
  void load_sym_states(const std::vector<std::string_view>& syms);
  SymState* add_sym_state(const std::string& sym, const std::optional<bus::Fields>& eng,
                          const std::optional<bus::Fields>& pos);
  // Creates every order:{id} with NX in one round trip, then hands the created ones to the
  // broker, in order. out[i]: kSent (a broker refusal is recorded as state "rejected"),
  // kExists, or the error of orders[i] (its create, or recording the refusal); an order whose
  // create failed or is uncertain is never sent.
  std::vector<Result<Submit>> submit_all(const std::vector<NewOrder>& orders);
  // Records the decision in memory (engine_state written by flush()).
  void note_decision(const std::string& sym, SymState& st, std::string decision,
                     TimestampNs bar_ns);
  bool open_order(const std::string& sym) const;

  // Refreshes the quotes of symbols with working orders (one round trip), polls the broker and
  // applies its events (apply_events), then checks for orders that timed out. `stage`: see
  // apply_events (the timeouts are then left to the next pump).
  Status pump_broker(bool stage = false);
  // Applies unapplied_ in order: runs of ordinary events are written by one script in one round
  // trip (write_events) and change P2's memory only once Redis confirmed them; an event that
  // fails closed (apply) is handled alone. A write that fails leaves that event and those
  // after it in unapplied_ for the retry.
  // `stage`: when the last run of ordinary events reaches the end of unapplied_, it is not
  // written here but kept in staged_ for flush(), which sends its script first in its own
  // round trip (one round trip less per batch with orders, #7).
  Status apply_events(bool stage = false);
  struct Planned {
    Track* track;
    std::optional<PositionRecord> position;  // a fill's new position, when it changes one
  };
  struct EventRun {
    std::vector<EventWrite> writes;
    std::vector<Planned> plans;
  };
  // Plans the leading run of ordinary events of unapplied_ (none when the front event needs
  // apply()).
  EventRun plan_events();
  // Commits to memory what Redis confirmed of `run` (the first done.written events of
  // unapplied_, which are popped).
  void commit_events(const EventRun& run, const EventsWritten& done);
  // One event on its own: the fail-closed path for an order P2 did not send or a fill that does
  // not match it, and any event the batched path does not take.
  Status apply(const broker::OrderEvent& e);
  // The write of a plausible fill of a tracked order on top of `held` (both paths build it so).
  FillWrite fill_write(const broker::OrderEvent& e, Purpose purpose,
                       const PositionRecord& held) const;
  // A written fill: counted, and on the last fill the order logged and no longer tracked.
  void note_fill(const broker::OrderEvent& e);
  Status check_timeouts();
  Status mark_unknown(const std::string& id, const std::string& sym, const std::string& why);
  Status halt(const std::string& sym, const std::string& reason);

  RoleContext& ctx_;
  std::unique_ptr<strategy::Strategy> strategy_;
  std::vector<Interval> reads_;  // strategy_->reads(): the bundle fields P2 reads
  std::unique_ptr<broker::Broker> broker_;
  bus::Connection conn_;
  std::string consumer_ = "p2";
  std::map<std::string, SymState, std::less<>> syms_;
  std::map<std::string, Track, std::less<>> tracked_;
  std::deque<broker::OrderEvent> unapplied_;              // polled but not yet written (Redis down)
  std::array<std::vector<Bar>, kIntervalCount> decoded_;  // reused by every evaluation
  std::vector<std::string> ack_new_bar_, ack_exit_;
  std::vector<std::string> decided_;  // symbols whose engine_state awaits flush()
  std::optional<Read> prefetched_;    // read by the last flush, not yet processed
  std::optional<EventRun> staged_;    // broker events flush() writes ahead of the decisions
  std::uint64_t pumps_ = 0;           // pump_broker() calls
  // Symbols whose quotes submit_all() read with its creates and handed to the broker, and the
  // connection's command count then: the next pump skips its quote read when no command went
  // out since and these cover every working symbol.
  std::vector<std::string> fresh_quotes_;
  std::uint64_t fresh_commands_ = 0;
  bool need_recover_ = false;
  log::LogEvery redis_log_{5 * kNsPerSec};
  log::LogEvery input_log_{1 * kNsPerSec};

  Counter& bars_evaluated_;
  Counter& bars_ignored_;
  Counter& bundle_batches_;
  Counter& orders_submitted_;
  Counter& fills_;
  Counter& entries_;
  Counter& exits_;
  Counter& decisions_skipped_;
  Counter& halted_symbols_;
  Counter& redeliveries_;
  Counter& orders_unknown_;
  Counter& bad_entries_;
  Counter& redis_errors_;
  Counter& reads_ahead_;
  Counter& quotes_with_orders_;
  Counter& events_with_decisions_;
  Histogram& wake_;
  Histogram& cycle_;
  Histogram& seal_to_decision_;
  Histogram& trigger_to_exit_;  // exit_fire trigger_ns to the exit order at the broker (#7)
  Histogram& armed_to_exit_;    // the same from the later of trigger_ns and the opening
};

}  // namespace harrier::roles::execute
