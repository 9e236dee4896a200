// P1's bar thread at the largest boundaries (issue #7, seal delay at 100 symbols): everything the
// bar thread does from the closing ticks of a boundary to its last seal, for 100 symbols whose
// six windows hold 120 bars each. A minute boundary seals 500 windows (1s 5s 15s 30s 1m), a
// five-minute boundary 600. Each closing tick goes through BarEngine (sealer + enricher), and
// each sealed bar through what SealSink::on_bar does on the bar thread: append the bar to its
// window, take a reused seal buffer, encode the window's Arrow stream into it. Not included: the
// quote copy, the metrics, the IO queue's push.
//
// Between two boundaries (untimed) the engine gets a trade and a quote per symbol every 250 ms
// of market time, so the 1 s, 5 s... windows seal as in a session (appended, not encoded: the
// encodes would only make the run longer). Arguments:
//   closing intervals  5: a minute boundary (500 seals); 6: a five-minute boundary (600)
//   cold               1: 64 MB written just before the boundary, evicting the caches (what
//                      Redis, P2 and P3 do to a shared machine between two boundaries); 0: not
//
//   BM_BoundaryMemcpy   the baseline: per window that seals, a memcpy of its encoded size from a
//                       buffer of its own into a reused seal buffer (what any encoder must
//                       at least read and write)
//   BM_BoundaryEngine   the closing ticks through BarEngine and the window append, no encode
//   BM_BoundarySeal     the same plus the encode of every sealed bar's window: SealSink's path
//                       (a vector<Bar> window and BarEncoder::encode)
//   BM_BoundarySealColumns  the same with the window in Arrow's column layout
//                       (arrow::BarWindowEncoder: push, then a memcpy per column)
//   BM_BoundarySealDescribe  the same window described, not encoded: push, then
//                       BarWindowEncoder::describe (what SealSink does): nothing copied, the
//                       pieces listed later by the IO thread
// Counters: seals per boundary, per_seal = CPU time per seal.
// Instructions of the boundary alone (callgrind, repeatable on a noisy machine): run one
// benchmark under valgrind --tool=callgrind --collect-atstart=no
// --toggle-collect='harrier::(anonymous namespace)::close_boundary*' with
// --benchmark_min_time=0 and divide by the boundaries run (seals / 500 or 600).
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "arrow/bar_codec.h"
#include "arrow/bar_window.h"
#include "indicators/bar_engine.h"

namespace harrier {
namespace {

constexpr int kSymbols = 100;
constexpr std::size_t kWindow = 120;
constexpr TimestampNs kStart = 1'709'562'600'000'000'000;  // 2024-03-04 14:30 UTC, 5 min aligned
constexpr DurationNs kTickStep = 250 * kNsPerMs;           // between two boundaries
constexpr DurationNs kClosingStep = 10 * kNsPerUs;         // between two closing ticks

std::string symbol_name(int i) { return "S" + std::to_string(100 + i); }

// What SealSink::on_bar does on the bar thread, minus the bus. Layout::kRows is SealSink's
// window as it is (a vector of Bars and a BarEncoder); kColumns a BarWindowEncoder.
class WindowSink final : public BarSink {
 public:
  enum class Layout { kRows, kColumns, kDescribe, kMemcpy };
  enum class Mode { kAppend, kEncode };

  explicit WindowSink(Layout layout) : layout_(layout), windows_(kSymbols) {
    // The seal buffers the IO thread hands back, each once written (a first encode into a new
    // buffer would also pay the page faults and the zero-fill of resize).
    for (std::size_t i = 0; i < kSymbols * kIntervalCount; ++i) {
      free_.emplace_back(kWindow * sizeof(Bar) + 4096, '\0');
    }
    for (int s = 0; s < kSymbols; ++s) {
      names_.push_back(symbol_name(s));
      for (Interval iv : kAllIntervals) {
        Window& w = windows_[static_cast<std::size_t>(s)][index_of(iv)];
        // A full window from the start, as in a session past its first 120 bars of each interval.
        std::vector<Bar> seed;
        for (std::size_t i = 0; i < kWindow; ++i) {
          Bar b;
          b.ts = kStart - static_cast<TimestampNs>(kWindow - i) * interval_ns(iv);
          b.seq = static_cast<std::int64_t>(i);
          b.open = b.high = b.low = b.close = b.close_filled =
              100.0 + 0.01 * static_cast<double>(i);
          b.volume = 100;
          seed.push_back(b);
        }
        if (layout_ == Layout::kColumns || layout_ == Layout::kDescribe) {
          w.columns = std::make_unique<arrow::BarWindowEncoder>(kWindow);
          w.columns->assign(seed);
          // Encoded once, as every window of a session has been (the batch metadata is cached).
          (void)w.columns->encode(names_.back(), iv, w.bytes);
          w.bytes = {};
          continue;
        }
        w.encoder = std::make_unique<arrow::BarEncoder>();
        w.bars = std::move(seed);
        w.bars.reserve(2 * kWindow);
        (void)w.encoder->encode(w.bars, names_.back(), iv, w.bytes);
        if (layout_ != Layout::kMemcpy) w.bytes = {};
      }
    }
  }

  void on_bar(SealedBar& sealed) override {
    ++seals;
    Window& w = windows_[sealed.symbol][index_of(sealed.interval)];
    const std::string& name = names_[sealed.symbol];
    if (layout_ == Layout::kDescribe) {
      w.columns->push(sealed.bar);
      if (mode == Mode::kAppend) return;
      if (!w.columns->describe(name, sealed.interval, described_.emplace_back())) std::abort();
      return;
    }
    if (layout_ == Layout::kColumns) {
      w.columns->push(sealed.bar);
      if (mode == Mode::kAppend) return;
      std::string buf = take_buffer();
      if (!w.columns->encode(name, sealed.interval, buf)) std::abort();
      in_flight_.push_back(std::move(buf));
      return;
    }
    if (w.bars.size() == 2 * kWindow) {
      w.bars.erase(w.bars.begin(), w.bars.end() - static_cast<std::ptrdiff_t>(kWindow - 1));
    }
    w.bars.push_back(sealed.bar);
    if (mode == Mode::kAppend) return;
    std::string buf = take_buffer();
    if (layout_ == Layout::kMemcpy) {
      buf.resize(w.bytes.size());
      std::memcpy(buf.data(), w.bytes.data(), w.bytes.size());
    } else {
      const std::size_t n = std::min(w.bars.size(), kWindow);
      std::span<const Bar> live(w.bars.data() + (w.bars.size() - n), n);
      if (!w.encoder->encode(live, name, sealed.interval, buf)) std::abort();
    }
    in_flight_.push_back(std::move(buf));
  }

  // The IO thread hands the written buffers back.
  void recycle() {
    for (std::string& b : in_flight_) free_.push_back(std::move(b));
    in_flight_.clear();
    described_.clear();  // their pins released, as the IO thread drops written seals
  }

  std::uint64_t seals = 0;
  Mode mode = Mode::kAppend;

 private:
  struct Window {
    std::vector<Bar> bars;
    std::unique_ptr<arrow::BarEncoder> encoder;
    std::unique_ptr<arrow::BarWindowEncoder> columns;
    std::string bytes;  // kMemcpy's source
  };
  std::string take_buffer() {
    if (free_.empty()) {
      std::string b;
      b.reserve(kWindow * sizeof(Bar) + 4096);
      return b;
    }
    std::string b = std::move(free_.back());
    free_.pop_back();
    return b;
  }

  Layout layout_;
  std::vector<std::array<Window, kIntervalCount>> windows_;
  std::vector<std::string> names_;
  std::vector<std::string> free_, in_flight_;
  std::vector<std::shared_ptr<const PieceSource>> described_;  // kDescribe's seals in flight
};

void evict_caches() {
  static std::vector<std::uint8_t> junk(64 << 20);
  static std::uint8_t v = 0;
  std::memset(junk.data(), ++v, junk.size());
  benchmark::DoNotOptimize(junk.data());
  benchmark::ClobberMemory();
}

// The timed part: every symbol's first tick after `boundary` (callgrind: --toggle-collect on
// this function counts the boundary's instructions alone).
[[gnu::noinline]] void close_boundary(BarEngine& engine, TimestampNs boundary) {
  for (int s = 0; s < kSymbols; ++s) {
    const TimestampNs at = boundary + s * kClosingStep;
    engine.on_clock(at);
    engine.on_tick(Tick::trade(static_cast<SymbolId>(s), at, 100.0, 100), at);
  }
}

void run_boundaries(benchmark::State& state, WindowSink::Layout layout, WindowSink::Mode mode) {
  const bool five_minute = state.range(0) == 6;
  const bool cold = state.range(1) != 0;
  WindowSink sink(layout);
  BarEngine engine(SealerOptions{}, sink);
  TimestampNs t = kStart;
  TimestampNs boundary = kStart;
  std::uint64_t timed_seals = 0;
  for (auto _ : state) {
    state.PauseTiming();
    sink.recycle();
    // The next boundary of the wanted kind: a minute that is not a five-minute one, or one.
    do {
      boundary += 60 * kNsPerSec;
    } while ((boundary % (300 * kNsPerSec) == 0) != five_minute);
    for (; t < boundary; t += kTickStep) {
      engine.on_clock(t);
      for (int s = 0; s < kSymbols; ++s) {
        const auto id = static_cast<SymbolId>(s);
        const double mid = 100.0 + 0.01 * static_cast<double>((t / kTickStep + s) % 50);
        engine.on_tick(Tick::quote(id, t + s, mid - 0.005, 300, mid + 0.005, 200), t + s);
        engine.on_tick(Tick::trade(id, t + s + 1, mid + 0.005, 100), t + s + 1);
      }
    }
    sink.recycle();
    if (cold) evict_caches();
    const std::uint64_t before = sink.seals;
    sink.mode = mode;
    state.ResumeTiming();
    close_boundary(engine, boundary);
    state.PauseTiming();
    sink.mode = WindowSink::Mode::kAppend;
    timed_seals += sink.seals - before;
    t = boundary + kTickStep;
    state.ResumeTiming();
  }
  state.counters["seals"] =
      static_cast<double>(timed_seals) / static_cast<double>(state.iterations());
  state.counters["per_seal"] = benchmark::Counter(
      static_cast<double>(timed_seals), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_BoundaryMemcpy(benchmark::State& state) {
  run_boundaries(state, WindowSink::Layout::kMemcpy, WindowSink::Mode::kEncode);
}
BENCHMARK(BM_BoundaryMemcpy)
    ->ArgNames({"closing", "cold"})
    ->Args({5, 0})
    ->Args({5, 1})
    ->Unit(benchmark::kMicrosecond);

void BM_BoundaryEngine(benchmark::State& state) {
  run_boundaries(state, WindowSink::Layout::kRows, WindowSink::Mode::kAppend);
}
BENCHMARK(BM_BoundaryEngine)
    ->ArgNames({"closing", "cold"})
    ->Args({5, 0})
    ->Args({5, 1})
    ->Unit(benchmark::kMicrosecond);

void BM_BoundarySeal(benchmark::State& state) {
  run_boundaries(state, WindowSink::Layout::kRows, WindowSink::Mode::kEncode);
}
BENCHMARK(BM_BoundarySeal)
    ->ArgNames({"closing", "cold"})
    ->Args({5, 0})
    ->Args({6, 0})
    ->Args({5, 1})
    ->Args({6, 1})
    ->Unit(benchmark::kMicrosecond);

void BM_BoundarySealColumns(benchmark::State& state) {
  run_boundaries(state, WindowSink::Layout::kColumns, WindowSink::Mode::kEncode);
}
BENCHMARK(BM_BoundarySealColumns)
    ->ArgNames({"closing", "cold"})
    ->Args({5, 0})
    ->Args({6, 0})
    ->Args({5, 1})
    ->Args({6, 1})
    ->Unit(benchmark::kMicrosecond);

void BM_BoundarySealDescribe(benchmark::State& state) {
  run_boundaries(state, WindowSink::Layout::kDescribe, WindowSink::Mode::kEncode);
}
BENCHMARK(BM_BoundarySealDescribe)
    ->ArgNames({"closing", "cold"})
    ->Args({5, 0})
    ->Args({6, 0})
    ->Args({5, 1})
    ->Args({6, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace harrier

BENCHMARK_MAIN();
