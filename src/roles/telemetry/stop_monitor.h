// P3's trailing stops over Redis (issue #5): one risk::TrailingStop per open position, kept in
// step with position:{sym}, fed from quote:{sym}, saved in stop:{sym}, and fired once through
// exit_fired:{sym}:{entry_order_id} + stream:exit_fire.
//
// Life of a stop:
//   - A position appears (sync() from the 1 Hz position scan, or on_entry() after an entry_fire):
//     the stop resumes from stop:{sym} when that hash names the same entry_order_id (best price
//     kept across a P3 restart), else it starts at the position's avg_price. If
//     exit_fired:{sym}:{entry} exists already, the stop is marked fired and never fires again.
//   - poll_quotes() reads quote:{sym} of every unfired stop in one pipeline (HMGET bid ask last
//     ts_ns). A quote with a new ts_ns moves the stop (price: bid for a long, ask for a short,
//     `last` when that side is missing). Changes are written back to stop:{sym} in one pipeline.
//   - Hit: one Lua script does SET exit_fired:{sym}:{entry} <trigger_ns> NX and, only if that
//     set the key, XADD stream:exit_fire (sym, reason trailing_stop, stop_price, trigger_ns), so
//     the exit is published exactly once per position, even when P3 dies at any point. A failed
//     attempt (Redis down) is retried on the next poll.
//   - The position disappears (flat): the stop is dropped and stop:{sym} deleted.
// trigger_ns is the quote's ts_ns (market time), so replays of old days behave like live ones.
// stop_to_exit_us is wall time from the poll reply that showed the crossing to the XADD reply.
// Thread: the telemetry loop thread only (it owns the Connection).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "bus/connection.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/interval.h"
#include "core/log.h"
#include "risk/trailing_stop.h"
#include "roles/common/metrics.h"
#include "roles/telemetry/positions.h"

namespace harrier::roles::telemetry {

struct StopConfig {
  risk::StopParams params;
  Interval atr_interval = Interval::k1m;
  int atr_period = 14;
  std::size_t stream_maxlen = 100000;
};
// From stops.* and ingest.stream_maxlen; kInvalidInput naming the key.
Result<StopConfig> stop_config(const Config& cfg);

// The metrics a StopMonitor records into; they must outlive it.
struct StopMetrics {
  Gauge* stops_active;
  Counter* exits_fired;
  Counter* quotes_polled;
  Counter* bad_inputs;
  Histogram* stop_to_exit;
};

class StopMonitor {
 public:
  // `conn`, `metrics` targets and `wall` must outlive the monitor.
  StopMonitor(bus::Connection& conn, StopConfig cfg, StopMetrics metrics, const Clock& wall);

  // Reads every position:{sym} and makes the set of stops match it.
  Status sync_all();
  // Same from positions already read (exposed for tests).
  Status sync(const PositionRead& positions);
  // After an entry_fire for `sym`: reads position:{sym} and guards it at once.
  Status on_entry(std::string_view sym);
  // One quote poll of every unfired stop; fires what is hit; saves what moved.
  Status poll_quotes();
  // Mode atr: recomputes the ATR of every stop from bars:{sym}:{atr_interval}.
  Status refresh_atr();
  // 1 Hz: re-checks every stop against its last price (the ATR may have tightened it), retries
  // failed fires, saves what moved.
  Status recheck();

  std::size_t active() const { return guards_.size(); }
  // Stops that still need quotes (not fired yet).
  std::size_t unfired() const;

 private:
  struct Guard {
    Position pos;
    risk::TrailingStop stop;
    bool fired = false;
    bool dirty = true;
    TimestampNs last_quote_ts = -1;
    double last_price = kNaN;
    TimestampNs trigger_ns = 0;
    TimestampNs seen_wall_ns = 0;
  };

  Status upsert(const Position& p);
  Status drop(const std::string& sym);
  Status fire(const std::string& sym, Guard& g);
  Status fire_pending();
  Status persist_dirty();
  void report_bad(const Error& e);
  void update_gauges();

  bus::Connection& conn_;
  StopConfig cfg_;
  StopMetrics m_;
  const Clock& wall_;
  std::map<std::string, Guard, std::less<>> guards_;
  log::LogEvery bad_log_{5 * kNsPerSec};
};

}  // namespace harrier::roles::telemetry
