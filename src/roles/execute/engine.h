// The P2 loop (issue #5). One thread ("main") owns the Redis connection, the strategy and the
// broker:
//
//   start   XGROUP CREATE (idempotent) on stream:new_bar and stream:exit_fire for group
//           "execute"; load paper:positions into the paper broker; recover what this consumer
//           left pending and what dead consumers left idle (each counts as a redelivery).
//   loop    XREADGROUP BLOCK (<= 100 ms, 10 ms while orders work) on both streams at once;
//           the entries of one reply are handled as a batch, exit_fire entries first:
//     exit_fire: sell the position (MKT, id "x-"+entry id, NX); for reason watchdog_flatten
//           with no position:{sym}, flatten what paper:positions holds. Exits go through even
//           when the symbol is halted.
//     new_bar: wake_us is recorded for every entry (every interval). Entries of the trigger
//           interval are evaluated: the bundles of all of them are read in one pipeline
//           (HGETALL bundle:{sym} per symbol, one round trip), then each in turn has its six
//           windows decoded, the strategy evaluated, order:{id} created with NX and the order
//           submitted at once. Other intervals are acknowledged unevaluated (bars_ignored).
//     then  one MULTI/EXEC in one round trip: engine_state:{sym}:buy of every symbol decided
//           (the decisions), then XACK of every entry handled. A command refused at queue time
//           aborts it all, so no entry is acknowledged without its decision.
//     broker: refresh quote:{sym} of symbols with working orders, poll, and apply each event:
//           fills in one transaction (order:{id}, paper:positions, position:{sym},
//           stream:entry_fire for entries).
//   fail closed: an order with no broker answer after broker.order_timeout_ms, an event for an
//           order P2 did not send, or an order found from an earlier run that the broker does not
//           hold, becomes state "unknown": the symbol is halted (engine_state halted=1 and a
//           reason), the error is logged and counted, and stream:alert gets kind
//           order_state_unknown. Only an operator clears the halt (HSET halted 0).
//
// An entry is acknowledged only after its work is recorded; after a Redis failure the entries
// not yet acknowledged stay pending and the loop re-reads its own pending entries once Redis is
// back, so delivery is at-least-once and orders stay idempotent through their client order ids.
//
// Latencies (wall clock unless said): wake_us, new_bar published_ns (sealed_ns when absent) to
// the XREADGROUP reply in hand; cycle_us (monotonic), per evaluation, the batch's bundle round
// trip + this entry's decode + strategy + order; seal_to_decision_us, sealed_ns to this entry's
// decision, so the wait behind the batch's earlier entries shows there. Redelivered entries are
// not timed.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
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

  Status start();
  Status recover();
  Result<Read> read_streams(std::int64_t block_ms);
  // Handles the entries of one read (exit_fire first, then new_bar), then writes the decisions
  // and the acknowledgements (flush). ok when all are acknowledged; after a failure the entries
  // not acknowledged are left pending. `redelivered`: recovered from pending (not timed).
  Status process(const Entries& entries, bool redelivered, TimestampNs read_wall);
  // ok means the entry is handled and queued for acknowledgement.
  Status handle_exit(const bus::StreamEntry& entry);
  // Queues a new_bar entry for acknowledgement (deleted, bad, another interval) or appends it
  // to `triggers`.
  void sort_new_bar(const bus::StreamEntry& entry, bool redelivered, TimestampNs read_wall,
                    std::vector<Trigger>& triggers);
  // Reads the bundles of `triggers` in one round trip and evaluates each in turn.
  Status evaluate(const std::vector<Trigger>& triggers, bool redelivered);
  Status on_new_bar(const bus::NewBarEvent& ev, const Result<bus::Bundle>& bundle,
                    DurationNs bundle_rt_ns, bool redelivered);
  Status on_exit_fire(const bus::ExitFireEvent& ev);
  // The decisions of decided_ and the queued acknowledgements in one MULTI/EXEC (flush_acks
  // alone when nothing was decided). On failure nothing queued is kept: the entries stay
  // pending and are evaluated again by recover().
  Status flush();
  Status flush_acks();

  Result<SymState*> sym_state(const std::string& sym);
  Result<Submit> submit(const broker::OrderRequest& req, Purpose purpose, Interval iv,
                        TimestampNs bar_start_ns);
  // Records the decision in memory (engine_state written by flush()).
  void note_decision(const std::string& sym, SymState& st, std::string decision,
                     TimestampNs bar_ns);
  bool open_order(const std::string& sym) const;

  Status pump_broker();
  Status apply(const broker::OrderEvent& e);
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
  Histogram& wake_;
  Histogram& cycle_;
  Histogram& seal_to_decision_;
  Histogram& trigger_to_exit_;  // exit_fire trigger_ns to the exit order at the broker (#7)
};

}  // namespace harrier::roles::execute
