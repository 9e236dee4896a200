// Simulator feed micro benchmarks (STYLE B8). The feed must generate far faster than the
// 1,000,000 events/s a live session could ask of it:
//   BM_GapBaseline  baseline: one splitmix64 draw and one log1p per item, the floor of drawing
//                   an exponential inter-arrival gap (items/s)
//   BM_SimNext      SimFeed::next() on an endless session: events/s on one core. Args:
//                   symbols, skew*10, open burst (a long session whose burst never ends, so
//                   every gap takes the burst branch). 100/0/0 is `harrier bench max_rate`'s
//                   workload (100 equally active symbols)
//   BM_SimToCsv     next() plus append_canonical_row(): what `harrier sim` costs before I/O
// items_per_second is the figure to compare; BM_SimNext / BM_GapBaseline is the cost of the
// whole model relative to the arrival draw alone.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "feed/sim_feed.h"

namespace harrier::feed {
namespace {

void BM_GapBaseline(benchmark::State& state) {
  std::uint64_t s = 1;
  double sum = 0;
  for (auto _ : state) {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    sum += -std::log1p(-static_cast<double>(z >> 11) * 0x1.0p-53);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GapBaseline);

SimOptions options_for(const benchmark::State& state) {
  SimOptions o;
  o.symbols = static_cast<std::uint32_t>(state.range(0));
  o.skew = static_cast<double>(state.range(1)) / 10;
  o.rate = 1e6;
  if (state.range(2) != 0) {
    o.open_burst = true;
    o.seconds = 1e8;  // burst over the first 1e7 s: never left within a benchmark run
  } else {
    o.seconds = 0;  // endless
  }
  o.start_ns = 1709562600000000000;
  return o;
}

void BM_SimNext(benchmark::State& state) {
  auto feed = SimFeed::open(options_for(state));
  if (!feed) {
    state.SkipWithError(feed.error().to_string().c_str());
    return;
  }
  Tick t;
  for (auto _ : state) {
    auto r = (*feed)->next(t);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SimNext)
    ->Args({1, 0, 0})
    ->Args({1, 0, 1})
    ->Args({10, 0, 0})
    ->Args({100, 0, 0})
    ->Args({500, 10, 0})
    ->Args({500, 10, 1});

void BM_SimToCsv(benchmark::State& state) {
  auto feed = SimFeed::open(options_for(state));
  if (!feed) {
    state.SkipWithError(feed.error().to_string().c_str());
    return;
  }
  std::string buf;
  buf.reserve(1 << 21);
  std::int64_t bytes = 0;
  Tick t;
  for (auto _ : state) {
    (void)(*feed)->next(t);
    append_canonical_row(buf, t, (*feed)->symbols().name(t.symbol));
    if (buf.size() >= (1 << 20)) {
      bytes += static_cast<std::int64_t>(buf.size());
      buf.clear();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes + static_cast<std::int64_t>(buf.size()));
}
BENCHMARK(BM_SimToCsv)->Args({10, 0, 0});

}  // namespace
}  // namespace harrier::feed

BENCHMARK_MAIN();
