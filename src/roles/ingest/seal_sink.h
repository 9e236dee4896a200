// The bar thread's output stage: receives every enriched bar from the BarEngine, keeps the last
// `window` bars of each (symbol, interval), encodes that window as Arrow IPC bytes (the same
// bytes for bars:{sym}:{iv} and the bundle field) and hands one bus::Seal per bar to the IO
// worker, together with the quote of that moment. Also turns sweeps into stream:sweep events
// and coalesces quote:{sym} writes (at most one per symbol per min interval, and the newest
// quote always written once the interval has passed). For the symbols in stops:guarded (P3's
// open stops, handed in through GuardedSymbols) every price change also goes out at once on
// stream:quote, none merged away (IoWorker::submit_quote_change: a change that finds the
// symbol's previous entry still waiting for the IO thread joins it), so a stop is woken by the
// quote that crosses it (a change of sizes alone is not published: stops act on prices). The
// sink keeps each symbol's last kRecentChanges price changes, so that a symbol guarded because
// of an entry fill gets the changes since the fill published at once (the fill's time is wall
// time, the ticks' market time: this reaches back only where the two agree, a live or
// simulated feed; a replay of an old day publishes the current quote alone).
// Threading: owned by P1's bar thread. Times: `market_ns` arguments are market time; latency
// metrics use the wall clock.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "arrow/bar_codec.h"
#include "arrow/bar_window.h"
#include "bus/io_worker.h"
#include "core/symbol_table.h"
#include "market/bar_sealer.h"
#include "roles/common/metrics.h"
#include "roles/ingest/market_clock.h"

namespace harrier::roles::ingest {

// The symbols of stops:guarded, refreshed by a poller thread and read by the bar thread: the
// bar thread checks version() (one relaxed load) and takes the lock only when it moved.
class GuardedSymbols {
 public:
  // Poller thread: replaces the set (bumps the version only when it changed).
  void set(std::vector<std::string> symbols);
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
  std::vector<std::string> snapshot() const;
  // Poller thread, before the set() that guards the symbol: the time of its newest entry fill
  // (stream:entry_fire ts_ns). The bar thread then publishes its changes since that time.
  void note_fill(std::string_view sym, TimestampNs ts_ns);
  // The newest fill time noted for `sym`, or -1 when none was.
  TimestampNs fill_ts(std::string_view sym) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> symbols_;  // sorted
  std::map<std::string, TimestampNs, std::less<>> fills_;
  std::atomic<std::uint64_t> version_{0};
};

struct SealSinkOptions {
  std::size_t window = 120;
  DurationNs quote_min_interval_ns = 10 * kNsPerMs;
};

// Metrics the sink records; owned by the role's Metrics registry.
struct SinkMetrics {
  Counter* bars_sealed = nullptr;
  Counter* seals_submitted = nullptr;
  Counter* seal_queue_drops = nullptr;
  Counter* encode_errors = nullptr;
  Counter* sweeps = nullptr;
  Counter* quote_writes = nullptr;
  Counter* quote_events = nullptr;       // stream:quote entries of guarded symbols
  Counter* quote_changes = nullptr;      // price changes they carry (an entry carries >= 1)
  Histogram* seal_delay = nullptr;       // closing tick (or clock deadline) -> seal handed to IO
  Histogram* bar_end_to_seal = nullptr;  // bar end -> seal (includes waiting for the close)
  // The seal delay of a closing tick's seals in two parts: the tick's exchange time -> the bar
  // thread taking it from the queue, and taking it -> the seal handed to the IO thread.
  Histogram* closing_tick_lag = nullptr;
  Histogram* seal_work = nullptr;
};

class SealSink final : public BarSink {
 public:
  // `symbols` names the SymbolIds (the feed's table); all references must outlive the sink.
  // `guarded` may be null (no stream:quote events).
  SealSink(SealSinkOptions opts, const SymbolTable& symbols, bus::IoWorker& io,
           const MarketClock& clock, const Clock& wall, SinkMetrics metrics,
           const GuardedSymbols* guarded = nullptr);

  void on_bar(SealedBar& sealed) override;
  void on_sweep(SymbolId symbol, const SweepEvent& sweep) override;

  // Every tick goes through here before the engine sees it: it keeps the symbol's quote (bid,
  // ask, sizes, last trade) for seals and quote writes.
  void on_tick(const Tick& tick);
  // The market time at which the bar thread took the tick it is about to hand the engine (the
  // loop reads the clock afresh for a tick that may close a bar). Splits a closing tick's seal
  // delay into closing_tick_lag and seal_work.
  void set_taken(TimestampNs market_ns) { taken_ns_ = market_ns; }
  // Picks up a new stops:guarded set, if the poller published one (cheap otherwise).
  void refresh_guarded();
  bool guarded(SymbolId symbol) const {
    return symbol < guarded_flags_.size() && guarded_flags_[symbol] != 0;
  }
  // Writes quote:{sym} for symbols whose quote changed and whose interval has passed.
  void flush_quotes(bool force = false);

  // Seal buffers the sink makes at start (and as the feed names new symbols), a full window
  // each with its pages already touched: one for every window of every symbol, as a 5-minute
  // boundary seals all six at once, so that a boundary's seals do not malloc fresh memory and
  // fault in its pages before the IO thread hands written ones back (on the 2-core VM of issue
  // #7 a fresh page's fault costs ~11 us, and a 100-symbol boundary's seals took 250-430).
  // At most kMaxPreparedBuffers (~47 MB of 120-bar windows). P1 sizes the IO worker's pool of
  // returned buffers to hold them all.
  static constexpr std::size_t kMaxPreparedBuffers = 1024;
  // Price changes kept per symbol for a newly guarded one: between an entry fill and P1 guarding
  // its symbol lie a few milliseconds (P2's write of stream:entry_fire, the poller's read and its
  // SMEMBERS), ~1 change a millisecond at 2,000 ticks/s of a symbol.
  static constexpr std::uint32_t kRecentChanges = 64;
  static std::size_t prepared_buffers(std::size_t symbols) {
    return std::min(symbols * kIntervalCount, kMaxPreparedBuffers);
  }

 private:
  struct Window {
    // The last `window` bars in Arrow's column layout: a seal appends one row and encodes the
    // window with a memcpy per column (a gather from 120 Bars cost ~3.6x the instructions).
    std::unique_ptr<arrow::BarWindowEncoder> bars;
  };
  struct QuoteState {
    bus::QuoteSnapshot quote;
    bool dirty = false;
    std::int64_t last_write_mono = 0;
    // The prices of the last stream:quote event: a size-only change is not published (a stop
    // acts on bid, ask and last only).
    double pub_bid = kNaN, pub_ask = kNaN, pub_last = kNaN;
    bool pub_fresh = false;  // newly guarded: publish the next tick whatever it changed
    // The last kRecentChanges changes of bid, ask or last, a ring: recent_n of them end before
    // recent_next.
    std::array<bus::QuotePoint, kRecentChanges> recent;
    std::uint32_t recent_next = 0, recent_n = 0;
    const bus::QuotePoint& recent_at(std::uint32_t k) const {  // k-th oldest
      return recent[(recent_next + kRecentChanges - recent_n + k) % kRecentChanges];
    }
  };
  // A buffer of at least buffer_bytes_ for the next seal: the last one the IO thread handed
  // back (its pages the most recently touched: on the 2-core VM of issue #7 a page untouched
  // for seconds costs 0.2-2 us to touch again, and the IO worker's pool hands back the oldest
  // first), else a prepared one, else a new one.
  std::string take_buffer();
  void publish_quote(SymbolId symbol, const bus::QuoteSnapshot& q, TimestampNs ts_ns);
  // A symbol just guarded: its changes from `since_ns` on (none when -1) and its current quote.
  void publish_since(SymbolId symbol, QuoteState& qs, TimestampNs since_ns);
  // A stream event (its Event::kStream) to the IO thread: counted in `published`, or as a drop.
  template <typename Event>
  void publish(const Event& ev, Counter* published);
  Window& window_for(SymbolId symbol, Interval iv);
  // Creates the six windows of every symbol the table names and has none yet: their bar
  // storage and their encoder's schema message, which cost the first seal of a window ~10 us
  // more than the next ones, at the boundary where the bar thread has the most to do.
  void prepare_windows();
  QuoteState& quote_for(SymbolId symbol);

  // The Arrow schema and batch messages of a window, above its column bytes (2,728 bytes for
  // the 45 columns of kBarColumns), with room to spare.
  static constexpr std::size_t kWindowMetadataBytes = 4096;

  SealSinkOptions opts_;
  std::size_t buffer_bytes_ = 0;  // capacity of a seal's bar buffer: a full window encoded
  // Buffers for seals, a stack: the prepared ones at the bottom, written ones the IO thread
  // handed back on top.
  std::vector<std::string> stash_;
  std::size_t prepared_ = 0;  // buffers made so far (<= prepared_buffers(symbols))
  const SymbolTable& symbols_;
  bus::IoWorker& io_;
  const MarketClock& clock_;
  TimestampNs taken_ns_ = 0;
  const Clock& wall_;
  SinkMetrics m_;
  std::vector<std::array<Window, kIntervalCount>> windows_;
  std::vector<QuoteState> quotes_;
  std::vector<SymbolId> dirty_;
  bus::QuoteEvent change_;           // reused by publish_quote (its sym keeps its capacity)
  std::int64_t next_quote_due_ = 0;  // mono: no dirty quote may be written before this
  const GuardedSymbols* guarded_ = nullptr;
  std::uint64_t guarded_version_ = 0;
  std::vector<std::string> guarded_names_;   // the last set seen (names not in the feed yet too)
  std::vector<std::uint8_t> guarded_flags_;  // by SymbolId
};

}  // namespace harrier::roles::ingest
