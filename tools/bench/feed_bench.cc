// Replay feed micro benchmarks (STYLE B8). The real SPY day (250,601 LEAN trade prints) is
// decompressed once into memory, then:
//   BM_LineSplit       baseline: memchr for newlines over the same bytes (lines/s)
//   BM_DecodeLines     decode_line + validation over pre-split lines, no I/O layer (ticks/s)
//   BM_FeedParse       the feed's whole read path from memory: buffered line reader, decode,
//                      validation, symbol and time-order checks (ticks/s): the parse rate
//   BM_FeedFromZstd    the same from the compressed bytes in memory, so it adds streaming
//                      zstd decompression (ticks/s): what a replay of the .zst file costs
// items_per_second is the figure to compare; BM_FeedParse / BM_LineSplit is the parse cost
// relative to just finding the lines.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "feed/byte_source.h"
#include "feed/replay_format.h"
#include "feed/source_reader.h"

namespace harrier::feed {
namespace {

const std::string kSpyZst =
    std::string(HARRIER_SOURCE_DIR) + "/tests/data/equity_us/spy/tick/spy_20131007_trades.csv.zst";

const std::string& compressed() {
  static const std::string bytes = [] {
    std::string out;
    if (std::FILE* f = std::fopen(kSpyZst.c_str(), "rb")) {
      char buf[1 << 16];
      for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
      std::fclose(f);
    }
    return out;
  }();
  return bytes;
}

// The decompressed day, made once with the feed's own streaming reader.
const std::string& plain() {
  static const std::string bytes = [] {
    std::string out;
    auto src = zstd_source(memory_source(compressed()), kSpyZst);
    std::vector<char> buf(1 << 20);
    while (true) {
      auto n = src->read(buf.data(), buf.size());
      if (!n || *n == 0) break;
      out.append(buf.data(), *n);
    }
    return out;
  }();
  return bytes;
}

void BM_LineSplit(benchmark::State& state) {
  const std::string& s = plain();
  std::int64_t lines = 0;
  for (auto _ : state) {
    const char* p = s.data();
    const char* end = p + s.size();
    std::int64_t n = 0;
    while (p < end) {
      const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
      const char* stop = nl ? static_cast<const char*>(nl) : end;
      benchmark::DoNotOptimize(stop);
      ++n;
      p = stop + 1;
    }
    lines += n;
  }
  state.SetItemsProcessed(lines);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(s.size()));
}
BENCHMARK(BM_LineSplit)->Unit(benchmark::kMillisecond);

void BM_DecodeLines(benchmark::State& state) {
  const std::string& s = plain();
  std::vector<std::string_view> lines;
  for (std::size_t pos = s.find('\n') + 1; pos < s.size();) {  // skip the header
    std::size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) nl = s.size();
    lines.emplace_back(s.data() + pos, nl - pos);
    pos = nl + 1;
  }
  std::int64_t ticks = 0;
  for (auto _ : state) {
    DecodedRow row;
    for (std::string_view line : lines) {
      if (!decode_line(Format::kLeanTrades, line, row)) ++ticks;
      benchmark::DoNotOptimize(row);
    }
  }
  state.SetItemsProcessed(ticks);
}
BENCHMARK(BM_DecodeLines)->Unit(benchmark::kMillisecond);

// Streams `bytes` through a SourceReader and counts the ticks; 0 on any error.
std::int64_t run_reader(std::unique_ptr<ByteSource> bytes) {
  SourceContext ctx;
  auto reader = SourceReader::open(std::move(bytes), "spy_20131007_trades.csv", "", ctx,
                                   LineReader::kDefaultBufferBytes);
  if (!reader) return 0;
  Tick t;
  std::int64_t n = 0;
  while (true) {
    auto more = (*reader)->next(t);
    if (!more || !*more) break;
    benchmark::DoNotOptimize(t);
    ++n;
  }
  return n;
}

void BM_FeedParse(benchmark::State& state) {
  const std::string& s = plain();
  std::int64_t ticks = 0;
  for (auto _ : state) ticks += run_reader(memory_source(s));
  if (ticks == 0) state.SkipWithError("no ticks parsed");
  state.SetItemsProcessed(ticks);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(s.size()));
}
BENCHMARK(BM_FeedParse)->Unit(benchmark::kMillisecond);

void BM_FeedFromZstd(benchmark::State& state) {
  const std::string& z = compressed();
  std::int64_t ticks = 0;
  for (auto _ : state) ticks += run_reader(zstd_source(memory_source(z), kSpyZst));
  if (ticks == 0) state.SkipWithError("no ticks parsed");
  state.SetItemsProcessed(ticks);
}
BENCHMARK(BM_FeedFromZstd)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace harrier::feed

int main(int argc, char** argv) {
#if defined(HARRIER_SANITIZED)
  std::fprintf(stderr, "feed_bench: WARNING: sanitizer build; figures are not representative\n");
#endif
#if !defined(NDEBUG)
  std::fprintf(stderr, "feed_bench: WARNING: assertions on (no NDEBUG)\n");
#endif
  std::fprintf(stderr, "feed_bench: SPY 2013-10-07, %zu bytes decompressed\n",
               harrier::feed::plain().size());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
