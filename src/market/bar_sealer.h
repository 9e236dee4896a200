// Seals bars for any number of symbols on all six intervals at once (ARCHITECTURE §3).
//
// A bar of interval iv covers [start, start + iv), aligned to the UTC epoch. It is sealed when
// a tick of its symbol at or past its end arrives (cause kEvent), or when the clock passes its
// end plus the grace (kClock), whichever is first, so a quiet symbol still seals. A tick older
// than the symbol's open bar of an interval is late for that interval: it is counted in the
// open bar's `late_ticks` and in SealerStats, logged at a rate limit, and never merged. A bar
// with no price-setting trades is sealed with `close_filled` forward-filled and `filled` set.
// Bars follow each other without holes: after a symbol's first tick every interval gets a bar,
// empty ones included, until more than `max_gap_fill_ns` has passed since the symbol's last
// tick; then the interval goes dormant and the next tick opens a fresh bar (an overnight gap
// does not produce a night of empty bars).
//
// The sealer fills the OHLCV, activity, quote-at-seal, flow and session columns. Indicator
// columns are left NaN for the enricher (indicators/enricher.h), which the BarSink runs.
//
// Threading: owned by one thread (P1's bar thread); not thread-safe. Times: exchange ns
// for ticks; `now_ns` is the caller's clock (wall time live, replay time in a replay).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/interval.h"
#include "core/log.h"
#include "core/types.h"
#include "market/bar.h"
#include "market/session.h"
#include "market/sweep_detector.h"
#include "market/tick.h"
#include "market/trade_rule.h"

namespace harrier {

struct SealerOptions {
  DurationNs grace_ns = 250 * kNsPerMs;
  DurationNs max_gap_fill_ns = 4 * 3600 * kNsPerSec;
  DurationNs sweep_window_ns = 50 * kNsPerMs;
  TradeRule rule;
  SessionCalendar session = SessionCalendar::new_york_0930();
};

enum class SealCause : std::uint8_t { kEvent, kClock, kFinish };

struct SealedBar {
  SymbolId symbol = kNoSymbol;
  Interval interval = Interval::k1s;
  SealCause cause = SealCause::kEvent;
  TimestampNs sealed_ns = 0;  // the caller's clock when sealed
  // When the bar became sealable, on the caller's clock: the exchange time of the closing tick
  // (kEvent), the bar's end + grace (kClock), sealed_ns (kFinish). Seal delay = seal - due_ns.
  TimestampNs due_ns = 0;
  Bar bar;
};

// Receives every sealed bar in order per (symbol, interval), and every sweep.
class BarSink {
 public:
  virtual ~BarSink() = default;
  virtual void on_bar(SealedBar& sealed) = 0;
  virtual void on_sweep(SymbolId /*symbol*/, const SweepEvent& /*sweep*/) {}
};

struct SealerStats {
  std::uint64_t ticks = 0, trades = 0, quotes = 0;
  std::uint64_t late_ticks = 0;  // ticks late for at least one interval
  std::array<std::uint64_t, kIntervalCount> late_by_interval{};
  std::uint64_t bars_sealed = 0, bars_filled = 0;
  std::uint64_t sealed_by_clock = 0;
  std::uint64_t dormant_gaps = 0;  // times an interval went dormant after max_gap_fill_ns
  std::uint64_t price_excluded = 0, volume_excluded = 0;  // prints excluded by the TradeRule
  std::uint64_t sweeps = 0;
};

class BarSealer {
 public:
  // `sink` must outlive the sealer.
  BarSealer(SealerOptions options, BarSink& sink);
  BarSealer(const BarSealer&) = delete;
  BarSealer& operator=(const BarSealer&) = delete;

  // REQUIRES: the tick was validated by its feed (finite positive prices, uncrossed quote).
  void on_tick(const Tick& tick, TimestampNs now_ns);
  // False when on_tick(tick) surely seals nothing: the tick falls inside all six of its
  // symbol's open bars (cheap, inline). True otherwise: it may close bars, be late, or be the
  // first of its symbol or since a seal.
  bool may_seal(const Tick& tick) const {
    if (tick.symbol >= symbols_.size()) return true;
    const SymbolState& st = symbols_[tick.symbol];
    return tick.ts_ns < st.fast_from || tick.ts_ns >= st.fast_until;
  }
  // Seals every bar whose end + grace <= now_ns. Cheap when nothing is due (inline).
  void on_clock(TimestampNs now_ns) {
    if (now_ns >= next_deadline_) seal_due(now_ns);
  }
  // End of data: seals every open bar that holds at least one tick.
  void finish(TimestampNs now_ns);

  const SealerStats& stats() const { return stats_; }
  const SealerOptions& options() const { return options_; }
  // A lower bound of the next clock seal (some open bar's end + grace); on_clock() before it
  // seals nothing. INT64_MAX when no bar is open.
  TimestampNs next_deadline() const { return next_deadline_; }

 private:
  struct Accum {
    double open = 0, high = 0, low = 0, close = 0;
    bool has_price = false;
    std::int64_t volume = 0, trades = 0, quotes = 0, late = 0;
    double pv = 0, buy = 0, sell = 0, dom_volume = 0;
    std::int64_t sweeps = 0;
  };
  struct Slot {
    bool open = false;
    TimestampNs start = 0, end = 0;
    std::int64_t seq = 0;
    double prev_close_filled = kNaN;
    Accum acc;
    TimestampNs session_start = 0, next_session_start = 0;  // 0/0: no session yet
    double session_pv = 0, session_volume = 0, session_delta = 0;
  };
  struct SymbolState {
    // A tick at a time in [fast_from, fast_until) finds all six slots open and falls inside
    // each one's bar: it is late for none and seals none, so it only adds to the six bars.
    // Empty (from > until) from any seal or close until the next tick recomputes it.
    TimestampNs fast_from = std::numeric_limits<TimestampNs>::max();
    TimestampNs fast_until = std::numeric_limits<TimestampNs>::min();
    // What the ticks inside the window added to all six bars, not yet added to them: counts,
    // prices and sums whose value does not depend on the order of addition (integers, and
    // sizes as doubles, exact below 2^53). Its pv is unused: a trade's price * size goes to
    // each bar at once, so vwap rounds as before. Flushed before a slot changes or is read.
    Accum pending;
    bool has_bid = false, has_ask = false;
    double bid = kNaN, ask = kNaN;
    double bid_size = 0, ask_size = 0;
    TimestampNs last_quote_ts = 0;
    double last_price = kNaN;  // last price-setting trade (tick rule)
    int last_direction = 0;    // +1 up-tick, -1 down-tick, 0 unknown
    TimestampNs last_tick_ts = 0;
    SweepDetector sweep;
    std::array<Slot, kIntervalCount> slots;
  };

  SymbolState& state_for(SymbolId id) {
    return id < symbols_.size() ? symbols_[id] : add_symbols(id);
  }
  // Grows symbols_ to hold `id`; returns its state.
  SymbolState& add_symbols(SymbolId id);
  // Adds st.pending to each slot's bar and clears it.
  static void flush_pending(SymbolState& st);
  void seal_due(TimestampNs now_ns);
  // Recomputes st.fast_from / st.fast_until from the slots.
  static void refresh_fast_window(SymbolState& st);
  // Seals bars of `slot` while their end <= `until`.
  // `due_ns`: the closing tick's time for kEvent (kClock: each bar's end + grace).
  void seal_through(SymbolId id, SymbolState& st, Interval iv, TimestampNs until, SealCause cause,
                    TimestampNs now_ns, TimestampNs due_ns);
  void seal(SymbolId id, SymbolState& st, Interval iv, SealCause cause, TimestampNs now_ns,
            TimestampNs due_ns);
  void note_late(SymbolId id, Interval iv, const Tick& tick, TimestampNs now_ns);

  SealerOptions options_;
  BarSink& sink_;
  std::vector<SymbolState> symbols_;
  TimestampNs next_deadline_;  // lower bound of every open slot's end + grace
  SealerStats stats_;
  log::LogEvery late_log_{kNsPerSec};
};

}  // namespace harrier
