// The bar thread's output stage: receives every enriched bar from the BarEngine, keeps the last
// `window` bars of each (symbol, interval), encodes that window as Arrow IPC bytes (the same
// bytes for bars:{sym}:{iv} and the bundle field) and hands one bus::Seal per bar to the IO
// worker, together with the quote of that moment. Also turns sweeps into stream:sweep events
// and coalesces quote:{sym} writes (at most one per symbol per min interval, and the newest
// quote always written once the interval has passed).
// Threading: owned by P1's bar thread. Times: `market_ns` arguments are market time; latency
// metrics use the wall clock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arrow/bar_codec.h"
#include "bus/io_worker.h"
#include "core/symbol_table.h"
#include "market/bar_sealer.h"
#include "roles/common/metrics.h"
#include "roles/ingest/market_clock.h"

namespace harrier::roles::ingest {

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
  Histogram* seal_delay = nullptr;
};

class SealSink final : public BarSink {
 public:
  // `symbols` names the SymbolIds (the feed's table); all references must outlive the sink.
  SealSink(SealSinkOptions opts, const SymbolTable& symbols, bus::IoWorker& io,
           const MarketClock& clock, const Clock& wall, SinkMetrics metrics);

  void on_bar(SealedBar& sealed) override;
  void on_sweep(SymbolId symbol, const SweepEvent& sweep) override;

  // Every tick goes through here before the engine sees it: it keeps the symbol's quote (bid,
  // ask, sizes, last trade) for seals and quote writes.
  void on_tick(const Tick& tick);
  // Writes quote:{sym} for symbols whose quote changed and whose interval has passed.
  void flush_quotes(bool force = false);

  // Seeds the window of (symbol, iv) with bars read back from Redis (warm-up), oldest first.
  void seed_window(SymbolId symbol, Interval iv, std::vector<Bar> bars);

 private:
  struct Window {
    std::vector<Bar> bars;  // holds up to 2*window; the live window is the last `window`
    std::unique_ptr<arrow::BarEncoder> encoder;
  };
  struct QuoteState {
    bus::QuoteSnapshot quote;
    bool dirty = false;
    std::int64_t last_write_mono = 0;
  };
  Window& window_for(SymbolId symbol, Interval iv);
  QuoteState& quote_for(SymbolId symbol);

  SealSinkOptions opts_;
  const SymbolTable& symbols_;
  bus::IoWorker& io_;
  const MarketClock& clock_;
  const Clock& wall_;
  SinkMetrics m_;
  std::vector<std::array<Window, kIntervalCount>> windows_;
  std::vector<QuoteState> quotes_;
  std::vector<SymbolId> dirty_;
};

}  // namespace harrier::roles::ingest
