// TWS decoder cost per tick-by-tick frame (issue #8; target < 200 ns per frame) next to the
// baseline of copying the same bytes, so the ratio says what validation and number parsing
// cost on top of touching the frame.
//
//   BM_MemcpyFrame           memcpy of a tickByTick Last frame (length prefix + payload)
//   BM_DecodeLast            Decoder::decode on tickByTick Last payloads (64 varied frames)
//   BM_DecodeBidAsk          the same for BidAsk payloads
//   BM_DecodeMidPoint        the same for MidPoint payloads
//   BM_SplitAndDecodeLast    a socket-sized read of 64 frames through FrameSplitter + decode
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "broker/tws/decoder.h"
#include "broker/tws/framing.h"

namespace harrier::tws {
namespace {

std::string pipes_to_payload(std::string s) {
  for (char& c : s) {
    if (c == '|') c = '\0';
  }
  return s;
}

// 64 realistic frames: prices around 3895, sizes 1..640, a few venues and conditions.
std::vector<std::string> payloads(int type) {
  static const char* kVenues[] = {"NASDAQ", "ARCA", "ISLAND", "IEX"};
  std::vector<std::string> out;
  for (int i = 0; i < 64; ++i) {
    std::string cents = std::to_string(389500 + i * 7);
    std::string px = cents.substr(0, 4) + "." + cents.substr(4);
    std::string t = std::to_string(1678740829 + i);
    std::string p;
    if (type == 1) {
      p = "99|9001|1|" + t + "|" + px + "|" + std::to_string(1 + i * 10) + "|" +
          std::to_string(i % 3) + "|" + kVenues[i % 4] + "|" + (i % 5 == 0 ? "Regular" : "") + "|";
    } else if (type == 3) {
      p = "99|9001|3|" + t + "|" + px + "|" + px.substr(0, 4) + ".99|" + std::to_string(i + 1) +
          "|" + std::to_string(64 - i) + "|0|";
    } else {
      p = "99|9001|4|" + t + "|" + px + "5|";
    }
    out.push_back(pipes_to_payload(p));
  }
  return out;
}

void BM_MemcpyFrame(benchmark::State& state) {
  auto ps = payloads(1);
  std::vector<std::string> frames;
  for (const auto& p : ps) {
    std::string f;
    append_frame(f, p);
    frames.push_back(f);
  }
  char dst[256];
  std::size_t i = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string& f = frames[i++ & 63];
    std::memcpy(dst, f.data(), f.size());
    benchmark::DoNotOptimize(dst);
    benchmark::ClobberMemory();
    bytes += f.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_MemcpyFrame);

void decode_bench(benchmark::State& state, int type) {
  auto ps = payloads(type);
  Decoder d(193);
  std::size_t i = 0;
  for (auto _ : state) {
    auto m = d.decode(ps[i++ & 63]);
    benchmark::DoNotOptimize(m);
  }
  if (d.stats().rejected != 0) state.SkipWithError("decoder rejected a benchmark frame");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
void BM_DecodeLast(benchmark::State& state) { decode_bench(state, 1); }
void BM_DecodeBidAsk(benchmark::State& state) { decode_bench(state, 3); }
void BM_DecodeMidPoint(benchmark::State& state) { decode_bench(state, 4); }
BENCHMARK(BM_DecodeLast);
BENCHMARK(BM_DecodeBidAsk);
BENCHMARK(BM_DecodeMidPoint);

void BM_SplitAndDecodeLast(benchmark::State& state) {
  std::string stream;
  for (const auto& p : payloads(1)) append_frame(stream, p);
  FrameSplitter s;
  Decoder d(193);
  std::int64_t frames = 0;
  for (auto _ : state) {
    s.feed(stream);
    while (true) {
      auto f = s.next();
      if (!f || !f->has_value()) break;
      auto m = d.decode(**f);
      benchmark::DoNotOptimize(m);
      ++frames;
    }
  }
  state.SetItemsProcessed(frames);  // items = frames, so ns/item is the per-frame cost
}
BENCHMARK(BM_SplitAndDecodeLast);

}  // namespace
}  // namespace harrier::tws

BENCHMARK_MAIN();
