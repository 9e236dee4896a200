// Bar engine throughput (issue #2): ticks per second through all six sealers plus enrichment on
// one core, next to the parse rate of the same real SPY day in the same run, so the ratio says
// whether the parser or the engine is the limit (target: engine >= 5 M ticks/s, parser-bound).
//
//   BM_ParseSpyDay         ReplayFeed over the decompressed SPY day (page-cached file)
//   BM_BarEngineSpyDay     the same ticks, preloaded, through BarEngine (6 intervals + indicators)
//   BM_BarEngineSynthetic  10 symbols, 30% trades / 70% quotes, 20k events/s of market time
//   BM_BarEngineMaxRate    the simulator's ticks of `harrier bench max_rate`: 100 symbols at
//                          5 M events/s of market time (the bar thread's load at the target)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "feed/replay_feed.h"
#include "feed/sim_feed.h"
#include "indicators/bar_engine.h"

namespace harrier {
namespace {

const std::string kSpyZst =
    std::string(HARRIER_SOURCE_DIR) + "/tests/data/equity_us/spy/tick/spy_20131007_trades.csv.zst";

// Decompresses the SPY day once into a plain file so the parse benchmark measures parsing.
const std::string& spy_plain_path() {
  static const std::string path = [] {
    std::string p = "/tmp/harrier_bench_spy_20131007_trades.csv";
    std::string cmd = "zstd -dqf -o " + p + " " + kSpyZst;
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "market_bench: zstd failed\n");
    return p;
  }();
  return path;
}

std::vector<Tick> load_ticks(const std::string& path) {
  feed::ReplayOptions o;
  o.sources.push_back({path, "SPY"});
  auto f = feed::ReplayFeed::open(o);
  std::vector<Tick> ticks;
  if (!f) return ticks;
  Tick t;
  while (true) {
    auto more = (*f)->next(t);
    if (!more || !*more) break;
    ticks.push_back(t);
  }
  return ticks;
}

struct NullSink final : BarSink {
  std::uint64_t bars = 0;
  double checksum = 0;
  void on_bar(SealedBar& s) override {
    ++bars;
    checksum += s.bar.ema9;
  }
};

void BM_ParseSpyDay(benchmark::State& state) {
  const std::string& path = spy_plain_path();
  std::int64_t n = 0;
  for (auto _ : state) {
    feed::ReplayOptions o;
    o.sources.push_back({path, "SPY"});
    auto f = feed::ReplayFeed::open(o);
    if (!f) {
      state.SkipWithError("cannot open SPY ticks");
      return;
    }
    Tick t;
    while (true) {
      auto more = (*f)->next(t);
      if (!more || !*more) break;
      ++n;
      benchmark::DoNotOptimize(t);
    }
  }
  state.SetItemsProcessed(n);
}
BENCHMARK(BM_ParseSpyDay)->Unit(benchmark::kMillisecond);

void run_engine(benchmark::State& state, const std::vector<Tick>& ticks) {
  if (ticks.empty()) {
    state.SkipWithError("no ticks loaded");
    return;
  }
  std::uint64_t bars = 0;
  for (auto _ : state) {
    NullSink sink;
    BarEngine engine(SealerOptions{}, sink);
    for (const Tick& t : ticks) {
      engine.on_clock(t.ts_ns);
      engine.on_tick(t, t.ts_ns);
    }
    engine.finish(ticks.back().ts_ns);
    bars += sink.bars;
    benchmark::DoNotOptimize(sink.checksum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ticks.size()));
  state.counters["bars_per_run"] =
      static_cast<double>(bars) / static_cast<double>(state.iterations());
}

void BM_BarEngineSpyDay(benchmark::State& state) {
  static const std::vector<Tick> ticks = load_ticks(spy_plain_path());
  run_engine(state, ticks);
}
BENCHMARK(BM_BarEngineSpyDay)->Unit(benchmark::kMillisecond);

std::vector<Tick> synthetic_ticks(int symbols, int count) {
  std::mt19937_64 rng(1);
  std::vector<double> mid(static_cast<std::size_t>(symbols), 100.0);
  std::vector<Tick> out;
  out.reserve(static_cast<std::size_t>(count));
  TimestampNs ts = 1'709'562'600'000'000'000;          // 2024-03-04 09:30 EST
  std::exponential_distribution<double> gap(20000.0);  // 20k events/s of market time
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < count; ++i) {
    ts += static_cast<TimestampNs>(gap(rng) * 1e9);
    auto s = static_cast<std::size_t>(rng() % static_cast<std::uint64_t>(symbols));
    double r = u(rng);
    if (r < 0.05) mid[s] += r < 0.025 ? 0.01 : -0.01;
    double bid = mid[s] - 0.005, ask = mid[s] + 0.005;
    if (u(rng) < 0.3) {
      double px = u(rng) < 0.5 ? bid : ask;
      out.push_back(Tick::trade(static_cast<SymbolId>(s), ts, px, 100));
    } else {
      out.push_back(Tick::quote(static_cast<SymbolId>(s), ts, bid, 300, ask, 200));
    }
  }
  return out;
}

void BM_BarEngineSynthetic(benchmark::State& state) {
  static const std::vector<Tick> ticks = synthetic_ticks(10, 1'000'000);
  run_engine(state, ticks);
}
BENCHMARK(BM_BarEngineSynthetic)->Unit(benchmark::kMillisecond);

void BM_BarEngineMaxRate(benchmark::State& state) {
  static const std::vector<Tick> ticks = [] {
    feed::SimOptions o;
    o.symbols = 100;
    o.rate = 5e6;
    o.seconds = 0.4;  // 2 M ticks
    o.start_ns = 1'709'562'600'000'000'000;
    std::vector<Tick> out;
    auto f = feed::SimFeed::open(o);
    if (!f) return out;
    Tick t;
    while (true) {
      auto more = (*f)->next(t);
      if (!more || !*more) break;
      out.push_back(t);
    }
    return out;
  }();
  run_engine(state, ticks);
}
BENCHMARK(BM_BarEngineMaxRate)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace harrier

BENCHMARK_MAIN();
