// The bar thread's engine: the sealer (market/bar_sealer.h) followed by the enricher, so every
// bar that leaves here carries all columns of ARCHITECTURE §3. This is what P1's bar thread
// and `harrier bars` run, so both produce the same bars from the same ticks.
// Threading: owned by one thread; not thread-safe. `out` must outlive the engine.
#pragma once

#include "indicators/enricher.h"
#include "market/bar_sealer.h"

namespace harrier {

class BarEngine final : private BarSink {
 public:
  BarEngine(SealerOptions options, BarSink& out) : sealer_(std::move(options), *this), out_(out) {}

  void on_tick(const Tick& tick, TimestampNs now_ns) { sealer_.on_tick(tick, now_ns); }
  bool may_seal(const Tick& tick) const { return sealer_.may_seal(tick); }
  void on_clock(TimestampNs now_ns) { sealer_.on_clock(now_ns); }
  void finish(TimestampNs now_ns) { sealer_.finish(now_ns); }
  const SealerStats& stats() const { return sealer_.stats(); }
  TimestampNs next_deadline() const { return sealer_.next_deadline(); }

 private:
  void on_bar(SealedBar& sealed) override {
    enricher_.apply(sealed.symbol, sealed.interval, sealed.bar);
    out_.on_bar(sealed);
  }
  void on_sweep(SymbolId symbol, const SweepEvent& sweep) override { out_.on_sweep(symbol, sweep); }

  BarSealer sealer_;
  Enricher enricher_;
  BarSink& out_;
};

}  // namespace harrier
