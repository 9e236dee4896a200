// P3's trailing stops over Redis (issues #5, #7): one risk::TrailingStop per open position, kept
// in step with position:{sym}, fed from stream:quote (and, slowly, quote:{sym}), saved in
// stop:{sym}, advertised in stops:guarded, and fired once through exit_fired:{sym}:{entry} +
// stream:exit_fire.
//
// Life of a stop:
//   - A position appears (sync() from the 1 Hz position scan, or on_entries() after entry_fire):
//     the stop resumes from stop:{sym} when that hash names the same entry_order_id (best price
//     kept across a P3 restart), else it starts at the position's avg_price. If
//     exit_fired:{sym}:{entry} exists already, the stop is marked fired and never fires again.
//   - stops:guarded holds the symbols of the unfired stops, so that P1 publishes every quote
//     change of them on stream:quote. save() brings it in line (SADD / SREM of the difference);
//     the first save() of a monitor replaces it (MULTI DEL SADD EXEC), so a restarted P3 drops
//     what its last life left there; assert_guarded() re-adds every member once a second (a
//     Redis that restarted empty).
//   - apply_quote() takes one stream:quote entry: each change it carries (its path, oldest
//     first, then its own fields) is a price (bid for a long, ask for a short, `last` when that
//     side is missing or 0) that moves or triggers the stop. A change older (ts_ns) than the
//     last quote applied to the stop is ignored; one with the same ts_ns is applied.
//   - poll_quotes() is the fallback (an older P1 that does not publish stream:quote, or the
//     first 50 ms of a guard before P1 re-read stops:guarded): it reads quote:{sym} of every
//     unfired stop in one pipeline (HMGET bid ask last ts_ns) and applies a quote whose ts_ns is
//     newer than the last one applied, by the same rules.
//   - Hit: one Lua script does SET exit_fired:{sym}:{entry} <trigger_ns> NX and, only if that
//     set the key, XADD stream:exit_fire (sym, reason trailing_stop, stop_price, trigger_ns), so
//     the exit is published exactly once per position, even when P3 dies at any point. A failed
//     attempt (Redis down) is retried by the next fire_pending() (each quote batch, each poll,
//     the 1 Hz recheck).
//   - The position disappears (flat): the stop is dropped and stop:{sym} deleted.
// trigger_ns is the crossing quote's ts_ns (market time), so replays of old days behave like
// live ones. stop_to_exit_us is wall time from the read reply (XREADGROUP or the poll) that held
// the crossing quote to the XADD reply; quote_to_fire_us is wall time at the XADD reply minus the
// quote's ts_ns, recorded only when that lies within 0..60 s (a live-like feed).
// Thread: the telemetry loop thread only (it owns the Connection).
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/connection.h"
#include "bus/events.h"
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
  Counter* hits_by_poll;  // crossings found by poll_quotes(), not in a stream:quote entry
  Histogram* stop_to_exit;
  Histogram* quote_to_fire;
};

class StopMonitor {
 public:
  // `conn`, `metrics` targets and `wall` must outlive the monitor.
  StopMonitor(bus::Connection& conn, StopConfig cfg, StopMetrics metrics, const Clock& wall);

  // Reads every position:{sym} and makes the set of stops match it.
  Status sync_all();
  // Same from positions already read (exposed for tests).
  Status sync(const PositionRead& positions);
  // After a read's entry_fire entries: reads position:{sym} of their symbols and guards them
  // at once, in three round trips however many (their positions, the new stops' saved state,
  // the save), not three each (issue #7: at 100 symbols a second's entries were guarded one
  // after another, tens of ms for the last).
  Status on_entries(std::span<const std::string> syms);
  // One stream:quote event read at wall time `read_wall_ns`: moves or triggers the unfired stop
  // of q.sym, in memory only (fire_pending() then save() publish the outcome). Returns false
  // when no unfired stop guards q.sym (the event is ignored).
  bool apply_quote(const bus::QuoteEvent& q, TimestampNs read_wall_ns);
  // Publishes the exit of every triggered, unfired stop, all in one round trip. Returns the
  // first Redis error (that stop, and any whose reply was not read, stays pending and is retried
  // by the next call).
  Status fire_pending();
  // Writes stop:{sym} of the stops that moved and brings stops:guarded in line with the
  // unfired stops, in one pipeline.
  Status save();
  // save() in two halves, so that the loop sends it ahead of its next read in the same write:
  // stage_save() appends the commands to `batch` (they borrow this monitor's text: run the
  // batch before any other call on the monitor), finish_save() takes the batch's replies
  // (`replies` shorter than the batch: the connection failed before the rest) and returns the
  // first failure, in which case what was staged stays to be saved again.
  void stage_save(bus::CommandBatch& batch);
  Status finish_save(const bus::CommandBatch& batch, std::span<const bus::Reply> replies);
  // A triggered stop whose exit is not published yet (fire_pending() failed).
  bool fire_due() const;
  // 1 Hz: one SADD stops:guarded of every unfired stop's symbol (when there is one).
  Status assert_guarded();
  // Fallback: one quote:{sym} poll of every unfired stop; fires what is hit; saves.
  Status poll_quotes();
  // Mode atr: recomputes the ATR of every stop from bars:{sym}:{atr_interval}.
  Status refresh_atr();
  // 1 Hz: re-checks every stop against its last price (the ATR may have tightened it), retries
  // failed fires, saves what moved.
  Status recheck();

  std::size_t active() const { return guards_.size(); }
  // Stops that still need quotes (not fired yet).
  std::size_t unfired() const;
  // Unfired stops that no stream:quote event has reached yet: P1 may not know the symbol is
  // guarded yet (it re-reads stops:guarded every 50 ms), so these are polled quickly.
  std::size_t unstreamed() const;
  // Symbols of the unfired stops, sorted: what stops:guarded should hold.
  std::vector<std::string> guarded_symbols() const;

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
    bool quote_triggered = false;  // the trigger came from a quote (not the 1 Hz recheck)
    bool streamed = false;         // a stream:quote event reached this stop
  };

  // Guards each of `positions`: a further fill of a guarded position carries its stop on; a new
  // one resumes its stop from stop:{sym} (same entry_order_id) or starts it, the state of all
  // new ones read in one round trip.
  Status upsert_all(std::span<const Position> positions);
  Status drop(const std::string& sym);
  // Applies one price (`side` of the position's side, else `last`) of a quote at `ts`.
  void apply_point(Guard& g, const bus::QuotePoint& p, TimestampNs read_wall_ns);
  void apply_price(Guard& g, double side, double last, TimestampNs ts, TimestampNs read_wall_ns);
  void report_bad(const Error& e);
  void update_gauges();

  bus::Connection& conn_;
  StopConfig cfg_;
  StopMetrics m_;
  const Clock& wall_;
  std::map<std::string, Guard, std::less<>> guards_;
  // What stops:guarded holds as far as this monitor knows; meaningful once guarded_known_.
  std::vector<std::string> guarded_published_;
  bool guarded_known_ = false;
  struct Staged {                      // what stage_save() put in a batch, until finish_save()
    std::size_t first = 0, count = 0;  // its commands in the batch
    std::string key;                   // stops:guarded
    std::vector<std::array<std::string, 6>> text;
    std::vector<std::string> syms, want, add, remove;
  };
  Staged staged_;
  log::LogEvery bad_log_{5 * kNsPerSec};
};

}  // namespace harrier::roles::telemetry
