// libFuzzer target on the Arrow IPC reader (built by the `fuzz` preset; run by scripts/run-fuzz).
// Feeds the input to every entry point that takes untrusted bytes, and walks whatever is
// returned as a consumer would, so a bad check in the reader shows up as an ASan/UBSan report.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "arrow/bar_codec.h"
#include "arrow/csv.h"
#include "arrow/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace harrier::arrow;
  const std::span<const std::uint8_t> bytes(data, size);
  for (const bool strict : {false, true}) {
    ReadOptions options;
    options.require_aligned = strict;
    options.max_decompressed_bytes = std::size_t{16} << 20;
    auto table = has_file_magic(bytes) ? read_file(bytes, options) : read_stream(bytes, options);
    if (table) {
      std::string out = describe_schema(table->schema);
      append_csv_header(table->schema, out);
      for (const RecordBatch& b : table->batches) {
        if (b.num_rows() > 100000) continue;  // null columns may claim any length
        append_csv_rows(table->schema, b, out);
      }
    }
  }
  if (auto view = view_bars(bytes)) {
    for (std::int64_t r = 0; r < view->rows; ++r) {
      auto bar = view->bar(r);
      (void)bar;
    }
  }
  auto bars = decode_bars(bytes);
  auto info = read_bar_metadata(bytes);
  (void)bars;
  (void)info;
  return 0;
}
