// P1's bar thread per tick between boundaries (issue #7, the maximum sustained rate): every tick
// goes through SealSink::on_tick before the BarEngine sees it. It keeps the symbol's quote for
// seals and quote:{sym} writes, notes the symbol for the next coalesced write, keeps its last
// kRecentChanges price changes (for a symbol guarded after a fill, d962488), and publishes the
// change on stream:quote when the symbol is guarded (none is here: the common case).
//
//   BM_TickCopy        the baseline: each tick's prices and time copied into its symbol's slot
//                      of a snapshot array, what any quote keeper must at least do
//   BM_SealSinkOnTick  SealSink::on_tick, 100 symbols, no symbol guarded
//
// Ticks: 100 symbols, a quote and a trade in turn, prices moving by a cent on most ticks (the
// simulator's symbols change bid, ask or last on ~9 of 10 ticks). Counter: per_tick = CPU time
// per tick; read the ratio of the two.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "bus/io_worker.h"
#include "core/symbol_table.h"
#include "market/tick.h"
#include "roles/common/metrics.h"
#include "roles/ingest/market_clock.h"
#include "roles/ingest/seal_sink.h"

namespace harrier {
namespace {

constexpr int kSymbols = 100;
constexpr std::size_t kTicks = 1 << 16;
constexpr DurationNs kTickStep = 5 * kNsPerUs;  // 200,000 ev/s
constexpr TimestampNs kSpan = static_cast<TimestampNs>(kTicks) * kTickStep;

std::vector<Tick> make_ticks(SymbolTable& table) {
  std::vector<SymbolId> ids;
  for (int i = 0; i < kSymbols; ++i) ids.push_back(*table.intern("S" + std::to_string(100 + i)));
  std::vector<Tick> ticks;
  ticks.reserve(kTicks);
  const TimestampNs t0 = 1'709'562'600'000'000'000;
  for (std::size_t i = 0; i < kTicks; ++i) {
    const SymbolId id = ids[i % kSymbols];
    const double mid = 100.0 + static_cast<double>((i * 7) % 13) * 0.01;
    const TimestampNs ts = t0 + static_cast<TimestampNs>(i) * kTickStep;
    ticks.push_back(i % 2 == 0 ? Tick::quote(id, ts, mid - 0.005, 300, mid + 0.005, 200)
                               : Tick::trade(id, ts, mid, 100));
  }
  return ticks;
}

struct Snapshot {
  TimestampNs ts_ns = 0;
  double bid = 0, ask = 0, last = 0;
};

void BM_TickCopy(benchmark::State& state) {
  SymbolTable table;
  const std::vector<Tick> ticks = make_ticks(table);
  std::vector<Snapshot> snaps(kSymbols);
  TimestampNs offset = 0;  // later passes are later in time, as a feed's ticks are
  for (auto _ : state) {
    for (Tick t : ticks) {
      t.ts_ns += offset;
      Snapshot& s = snaps[t.symbol];
      if (t.kind == TickKind::kTrade) {
        s.last = t.price;
      } else {
        s.bid = t.bid;
        s.ask = t.ask;
        s.ts_ns = t.ts_ns;
      }
    }
    offset += kSpan;
    benchmark::DoNotOptimize(snaps.data());
    benchmark::ClobberMemory();
  }
  state.counters["per_tick"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kTicks),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_TickCopy);

void BM_SealSinkOnTick(benchmark::State& state) {
  SymbolTable table;
  const std::vector<Tick> ticks = make_ticks(table);
  bus::IoWorker io(bus::ConnectionConfig{}, bus::IoWorkerOptions{});  // never started
  const Clock& wall = SystemClock::instance();
  roles::ingest::MarketClock market(wall, 0);
  Metrics m;
  roles::ingest::SinkMetrics sm{&m.counter("a", ""),  &m.counter("b", ""), &m.counter("c", ""),
                                &m.counter("d", ""),  &m.counter("e", ""), &m.counter("f", ""),
                                &m.counter("g", ""),  &m.counter("h", ""), &m.histogram("i", ""),
                                &m.histogram("j", "")};
  roles::ingest::SealSink sink(roles::ingest::SealSinkOptions{}, table, io, market, wall, sm);
  TimestampNs offset = 0;  // later passes are later in time (an older quote is dropped)
  for (auto _ : state) {
    for (Tick t : ticks) {
      t.ts_ns += offset;
      sink.on_tick(t);
    }
    offset += kSpan;
    benchmark::ClobberMemory();
  }
  state.counters["per_tick"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kTicks),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SealSinkOnTick);

}  // namespace
}  // namespace harrier

BENCHMARK_MAIN();
