// The P2 loop (issue #5). One thread ("main") owns the Redis connection, the strategy and the
// broker:
//
//   start   XGROUP CREATE (idempotent) on stream:new_bar and stream:exit_fire for group
//           "execute"; load paper:positions into the paper broker; recover what this consumer
//           left pending and what dead consumers left idle (each counts as a redelivery).
//   loop    XREADGROUP BLOCK (<= 100 ms, 10 ms while orders work) on both streams at once,
//           exit_fire first.
//     new_bar of the trigger interval: HGETALL bundle:{sym} (one round trip), decode the six
//           windows, evaluate the strategy, create order:{id} with NX and submit it, write
//           engine_state:{sym}:buy (the decision), then XACK. Other intervals are acknowledged
//           unevaluated (counted in bars_ignored).
//     exit_fire: sell the position (MKT, id "x-"+entry id, NX); for reason watchdog_flatten
//           with no position:{sym}, flatten what paper:positions holds. Then XACK. Exits go
//           through even when the symbol is halted.
//     broker: refresh quote:{sym} of symbols with working orders, poll, and apply each event:
//           fills in one transaction (order:{id}, paper:positions, position:{sym},
//           stream:entry_fire for entries).
//   fail closed: an order with no broker answer after broker.order_timeout_ms, an event for an
//           order P2 did not send, or an order found from an earlier run that the broker does not
//           hold, becomes state "unknown": the symbol is halted (engine_state halted=1 and a
//           reason), the error is logged and counted, and stream:alert gets kind
//           order_state_unknown. Only an operator clears the halt (HSET halted 0).
//
// An entry is acknowledged only after its work is recorded; after a Redis failure nothing is
// acknowledged and the loop re-reads its own pending entries once Redis is back, so delivery is
// at-least-once and orders stay idempotent through their client order ids.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/broker.h"
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

  Status start();
  Status recover();
  Result<std::vector<std::pair<bus::keys::Stream, bus::StreamEntry>>> read_streams(
      std::int64_t block_ms);
  // Handles one entry; ok means it may be acknowledged.
  Status handle(bus::keys::Stream stream, const bus::StreamEntry& entry, bool redelivered);
  Status on_new_bar(const bus::NewBarEvent& ev, bool redelivered);
  Status on_exit_fire(const bus::ExitFireEvent& ev);
  Status flush_acks();

  Result<SymState*> sym_state(const std::string& sym);
  Result<Submit> submit(const broker::OrderRequest& req, Purpose purpose, Interval iv,
                        TimestampNs bar_start_ns);
  Status record_decision(const std::string& sym, SymState& st, std::string decision,
                         TimestampNs bar_ns);
  bool open_order(const std::string& sym) const;

  Status pump_broker();
  Status apply(const broker::OrderEvent& e);
  Status check_timeouts();
  Status mark_unknown(const std::string& id, const std::string& sym, const std::string& why);
  Status halt(const std::string& sym, const std::string& reason);

  RoleContext& ctx_;
  std::unique_ptr<strategy::Strategy> strategy_;
  std::unique_ptr<broker::Broker> broker_;
  bus::Connection conn_;
  std::string consumer_ = "p2";
  std::map<std::string, SymState, std::less<>> syms_;
  std::map<std::string, Track, std::less<>> tracked_;
  std::deque<broker::OrderEvent> unapplied_;  // polled but not yet written (Redis down)
  std::array<std::vector<Bar>, kIntervalCount> decoded_;
  std::vector<std::string> ack_new_bar_, ack_exit_;
  bool need_recover_ = false;
  log::LogEvery redis_log_{5 * kNsPerSec};
  log::LogEvery input_log_{1 * kNsPerSec};

  Counter& bars_evaluated_;
  Counter& bars_ignored_;
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
  Histogram& trigger_to_exit_;  // exit_fire trigger_ns to the exit order at the broker (#7)
};

}  // namespace harrier::roles::execute
