// libFuzzer target: arbitrary bytes through the frame splitter (fed in uneven chunks) and
// every payload it yields through the decoder at the three tested server versions. A finding
// is any crash, sanitizer report or leak; errors are expected and fine. The seed corpus in
// fuzz_corpus/ holds real frames (the reference's captured and golden frames).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "broker/tws/decoder.h"
#include "broker/tws/framing.h"
#include "broker/tws/handshake.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace harrier::tws;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The whole input as one payload (the decoder's own boundary).
  for (int v : {176, 186, 193}) {
    Decoder d(v);
    (void)d.decode(bytes);
  }
  (void)parse_server_hello(bytes);
  // The input as a stream, fed in chunks whose sizes come from the input itself.
  FrameSplitter splitter(1 << 16);
  Decoder d(193);
  std::size_t pos = 0;
  while (pos < size && !splitter.failed()) {
    std::size_t chunk = 1 + (data[pos] % 17);
    if (chunk > size - pos) chunk = size - pos;
    splitter.feed(bytes.substr(pos, chunk));
    pos += chunk;
    while (true) {
      auto f = splitter.next();
      if (!f || !f->has_value()) break;
      (void)d.decode(**f);
    }
  }
  return 0;
}
