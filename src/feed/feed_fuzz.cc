// libFuzzer target on the replay decoder (built by the `fuzz` preset: clang, ASan/UBSan).
// The input is read as a replay file, as plain text and as a zstd stream, with a small line
// buffer so oversized lines are hit too; every tick that comes out must pass validate_tick,
// and a crash or sanitizer report is a bug in the feed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "feed/byte_source.h"
#include "feed/replay_format.h"
#include "feed/source_reader.h"

namespace {

void run(std::unique_ptr<harrier::feed::ByteSource> bytes, bool strict) {
  harrier::feed::SourceContext ctx;
  ctx.strict = strict;
  ctx.backwards_tolerance_ns = 1000;
  auto reader = harrier::feed::SourceReader::open(std::move(bytes), "fuzz_input.csv", "", ctx, 64);
  if (!reader) return;
  harrier::Tick t;
  for (int i = 0; i < 100000; ++i) {
    auto more = (*reader)->next(t);
    if (!more || !*more) return;
    if (harrier::feed::validate_tick(t)) std::abort();  // a bad tick escaped the feed
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Give the fuzzer a head start: the first byte picks a valid header, the rest is the body.
  static constexpr std::string_view kHeaders[] = {
      "ts_ns,symbol,event,price,size,bid_price,bid_size,ask_price,ask_size,venue\n",
      "ts_ns,price,size,exchange,condition_hex,suspicious\n",
      "ts_ns,bid_px,bid_sz,ask_px,ask_sz,exchange,condition_hex,suspicious\n", ""};
  if (size == 0) return 0;
  std::string text(kHeaders[data[0] % 4]);
  text.append(reinterpret_cast<const char*>(data + 1), size - 1);
  for (bool strict : {false, true}) {
    run(harrier::feed::memory_source(text), strict);
    run(harrier::feed::zstd_source(harrier::feed::memory_source(text), "fuzz.zst"), strict);
  }
  return 0;
}
