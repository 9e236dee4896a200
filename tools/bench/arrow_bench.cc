// Arrow IPC micro benchmarks (issue #3): encode and decode of a 120-row window of the full
// enriched bar schema, next to memcpy of the same number of bytes (the encoded stream's size) in
// the same run. Targets: encode within 3x of that memcpy; view (decode to views) under 2 us.
//   BM_MemcpyWindowBytes   memcpy of the encoded window's size, the baseline
//   BM_EncodeBars          BarEncoder::encode into a reused buffer (what P1 does per seal: its
//                          buffers go round between the bar thread and the IO thread)
//   BM_EncodeBarsNewString the same into a new std::string per window (what P1 did before): an
//                          allocation, and resize() zero-fills the bytes encode then overwrites
//   BM_EncodeWindowColumns BarWindowEncoder: push a bar into a full window kept in column layout,
//                          encode it (a memcpy per column, same bytes as BM_EncodeBars)
//   BM_ViewBars            view_bars: verify, check the schema, point at the columns (P2);
//                          the schema message repeats, so its check is a memcmp after the first
//   BM_ViewBarsColdSchema  the same, alternating two symbols so the schema is verified each time
//   BM_DecodeBars          decode_bars: the generic reader plus a copy into std::vector<Bar>
//   BM_DecodeBarsInto      decode_bars_into: view_bars plus a copy of the columns into a
//                          reused std::vector<Bar> (what P2 does per window of a bundle)
//   BM_ReadStream          read_stream into a Table of views (the generic API)
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "arrow/bar_codec.h"
#include "arrow/bar_window.h"
#include "arrow/reader.h"

namespace {

using namespace harrier;

constexpr int kRows = 120;

std::vector<Bar> window() {
  std::vector<Bar> bars(kRows);
  for (int i = 0; i < kRows; ++i) {
    Bar& b = bars[static_cast<std::size_t>(i)];
    b.ts = 1381152600000000000 + i * 5 * kNsPerSec;
    b.seq = i;
    for (const ColumnDef& col : kBarColumns) {
      if (col.type == ColumnType::kFloat64) column_ref<double>(b, col) = 167.41 + i * 0.01;
      if (col.type == ColumnType::kInt64 && col.name != "seq") column_ref<std::int64_t>(b, col) = i;
    }
    b.filled = i % 7 == 0;
  }
  return bars;
}

std::vector<std::uint8_t> encoded() {
  std::vector<std::uint8_t> out;
  if (!arrow::encode_bars(window(), "SPY", Interval::k5s, out)) std::abort();
  return out;
}

void BM_MemcpyWindowBytes(benchmark::State& state) {
  const auto src = encoded();
  std::vector<std::uint8_t> dst(src.size());
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * src.size()));
  state.counters["bytes"] = static_cast<double>(src.size());
}
BENCHMARK(BM_MemcpyWindowBytes);

void BM_EncodeBars(benchmark::State& state) {
  const auto bars = window();
  arrow::BarEncoder enc;
  std::vector<std::uint8_t> out;
  for (auto _ : state) {
    if (!enc.encode(bars, "SPY", Interval::k5s, out)) state.SkipWithError("encode failed");
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_EncodeBars);

void BM_EncodeBarsNewString(benchmark::State& state) {
  const auto bars = window();
  arrow::BarEncoder enc;
  std::size_t size = 0;
  for (auto _ : state) {
    std::string out;
    if (!enc.encode(bars, "SPY", Interval::k5s, out)) state.SkipWithError("encode failed");
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    size = out.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
  state.counters["bytes"] = static_cast<double>(size);
}
BENCHMARK(BM_EncodeBarsNewString);

void BM_EncodeWindowColumns(benchmark::State& state) {
  const auto bars = window();
  arrow::BarWindowEncoder enc(kRows);
  enc.assign(bars);
  std::vector<std::uint8_t> out;
  std::size_t i = 0;
  for (auto _ : state) {
    enc.push(bars[i++ % bars.size()]);
    if (!enc.encode("SPY", Interval::k5s, out)) state.SkipWithError("encode failed");
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_EncodeWindowColumns);

void BM_ViewBars(benchmark::State& state) {
  const auto bytes = encoded();
  for (auto _ : state) {
    auto view = arrow::view_bars(bytes);
    if (!view) state.SkipWithError("view failed");
    benchmark::DoNotOptimize(view);
  }
}
BENCHMARK(BM_ViewBars);

void BM_ViewBarsColdSchema(benchmark::State& state) {
  const auto a = encoded();
  std::vector<std::uint8_t> b;
  if (!arrow::encode_bars(window(), "QQQ", Interval::k5s, b)) std::abort();
  bool flip = false;
  for (auto _ : state) {
    auto view = arrow::view_bars(flip ? a : b);
    flip = !flip;
    if (!view) state.SkipWithError("view failed");
    benchmark::DoNotOptimize(view);
  }
}
BENCHMARK(BM_ViewBarsColdSchema);

void BM_DecodeBars(benchmark::State& state) {
  const auto bytes = encoded();
  for (auto _ : state) {
    auto bars = arrow::decode_bars(bytes);
    if (!bars) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(bars);
  }
}
BENCHMARK(BM_DecodeBars);

void BM_DecodeBarsInto(benchmark::State& state) {
  const auto bytes = encoded();
  std::vector<Bar> bars;
  for (auto _ : state) {
    if (!arrow::decode_bars_into(bytes, bars)) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(bars.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_DecodeBarsInto);

void BM_ReadStream(benchmark::State& state) {
  const auto bytes = encoded();
  for (auto _ : state) {
    auto table = arrow::read_stream(bytes);
    if (!table) state.SkipWithError("read failed");
    benchmark::DoNotOptimize(table);
  }
}
BENCHMARK(BM_ReadStream);

}  // namespace

BENCHMARK_MAIN();
