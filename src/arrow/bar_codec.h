// The bar codec: a window of enriched bars (ARCHITECTURE §3) as one Arrow IPC stream (schema,
// one record batch with the bars oldest first, end-of-stream), the bytes P1 stores in
// `bars:{sym}:{iv}` and `bundle:{sym}`. Columns and types come from kBarColumns in
// market/bar.h: kTimestampNs -> timestamp[ns, tz=UTC], kInt64 -> int64, kFloat64 -> float64,
// kBool -> bool; no column has nulls (a NaN price stays NaN). Schema metadata: `symbol`,
// `interval` ("1s".."5m") and `schema_version` (kBarSchemaVersion, as decimal text).
//
// Encoding reuses the caller's buffer and caches the schema and batch metadata, so a steady
// stream of windows of one symbol allocates nothing. A window that changes by one bar at a time
// encodes faster from arrow/bar_window.h (kept in column layout; the same bytes). view_bars() reads
// without copying; decode_bars_into() copies into reused Bars (what P2 does per bundle);
// decode_bars() copies into new Bars and also accepts any Arrow writer's variant of the schema
// (nullable fields, nulls in float columns read as NaN, several batches, compressed bodies).
// Thread-safety: a BarEncoder is used by one thread; the free functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arrow/types.h"
#include "core/interval.h"
#include "core/result.h"
#include "market/bar.h"

namespace harrier::arrow {

// The Arrow schema of a bar window: kBarColumns plus the metadata.
Schema bar_schema(std::string_view symbol, Interval iv);

// Returns kInvalidInput naming the first difference when `schema` is not the bar schema
// (field count, a name, a type, missing or bad metadata, another schema_version).
Status check_bar_schema(const Schema& schema);

class BarEncoder {
 public:
  BarEncoder();
  ~BarEncoder();
  BarEncoder(const BarEncoder&) = delete;
  BarEncoder& operator=(const BarEncoder&) = delete;

  // Replaces the contents of `out` with the stream for `bars` (oldest first). Returns
  // kInvalidInput for an empty symbol or one longer than 64 bytes.
  Status encode(std::span<const Bar> bars, std::string_view symbol, Interval iv,
                std::vector<std::uint8_t>& out);
  Status encode(std::span<const Bar> bars, std::string_view symbol, Interval iv, std::string& out);
  // Builds and caches the schema message of (symbol, iv) now, so that the first encode() of the
  // window does not pay for it (P1 prepares every window before the session's first seal).
  // Returns kInvalidInput as encode() does.
  Status prepare(std::string_view symbol, Interval iv);
  // Builds the batch messages of streams of 1 to `max_rows` rows now. They depend on the row
  // count alone (the columns are fixed), so every encoder of the process shares them: a window
  // still filling up, whose row count changes at every seal, then encodes without building one
  // (a FlatBuffers build and two allocations a seal; P1 calls this at start for its window).
  // Thread-safe. Counts above 4,096 are built per encoder, as before.
  static void prepare_rows(std::size_t max_rows);
  static constexpr std::size_t kSharedBatchRows = 4096;

 private:
  friend class BarWindowEncoder;
  template <typename Buf>
  Status encode_into(std::span<const Bar> bars, std::string_view symbol, Interval iv, Buf& out);
  // Sizes `out` for a stream of `rows` rows of the prepared (symbol, iv) and writes all of it
  // but the body's columns: schema and batch messages, end-of-stream. Returns the body, whose
  // column c starts at col_offset_[c].
  template <typename Buf>
  std::uint8_t* frame(std::size_t rows, Buf& out);
  void build_schema(std::string_view symbol, Interval iv);
  // The batch message of a stream of `rows` rows and where its body's columns go.
  struct BatchMeta {
    std::vector<std::uint8_t> msg;  // framed
    std::array<std::size_t, kBarColumnCount> col_offset{};
    std::size_t body_size = 0;
  };
  static void build_batch_meta(std::size_t rows, BatchMeta& out);
  // The shared one for `rows` (built on first use), or own_meta_ rebuilt past the shared table.
  const BatchMeta& batch_meta(std::size_t rows);

  std::string symbol_;  // the cached schema message is for symbol_ and iv_
  Interval iv_ = Interval::k1s;
  std::vector<std::uint8_t> schema_msg_;  // framed
  std::size_t rows_ = static_cast<std::size_t>(-1);
  const BatchMeta* meta_ = nullptr;  // for rows_
  BatchMeta own_meta_;               // rows_ past the shared table
};

// One-shot helpers over a thread-local BarEncoder.
Status encode_bars(std::span<const Bar> bars, std::string_view symbol, Interval iv,
                   std::vector<std::uint8_t>& out);
Status encode_bars(std::span<const Bar> bars, std::string_view symbol, Interval iv,
                   std::string& out);

// A zero-copy view of a bar window written by Harrier: one uncompressed record batch of the bar
// schema. Values are read with unaligned-safe loads, so any input address works. The view
// borrows the input bytes.
struct BarWindowView {
  std::string symbol;
  Interval interval = Interval::k1s;
  std::int64_t schema_version = 0;
  std::int64_t rows = 0;
  std::array<const std::uint8_t*, kBarColumnCount> values{};    // column data
  std::array<const std::uint8_t*, kBarColumnCount> validity{};  // nullptr when no nulls

  // REQUIRES: column `col` is int64 or timestamp, row < rows.
  std::int64_t i64(std::size_t col, std::int64_t row) const {
    std::int64_t v;
    std::memcpy(&v, values[col] + row * 8, 8);
    return v;
  }
  // REQUIRES: column `col` is float64. A null reads as NaN.
  double f64(std::size_t col, std::int64_t row) const;
  // REQUIRES: column `col` is bool.
  bool boolean(std::size_t col, std::int64_t row) const {
    return ((values[col][row >> 3] >> (row & 7)) & 1) != 0;
  }
  bool is_valid(std::size_t col, std::int64_t row) const {
    return validity[col] == nullptr || ((validity[col][row >> 3] >> (row & 7)) & 1) != 0;
  }
  // Copies row `row` into a Bar. Returns kInvalidInput if an int64/timestamp/bool value is null.
  Result<Bar> bar(std::int64_t row) const;
};

// Checks and views Harrier-written bar bytes without copying values: verifies both messages,
// matches the schema against the bar schema, and checks every buffer against the input.
// Errors: kInvalidInput (malformed bytes, schema mismatch), kUnsupported (compressed bodies or
// more than one batch: use decode_bars).
Result<BarWindowView> view_bars(std::span<const std::uint8_t> bytes);

// Any Arrow stream or file of the bar schema to Bars (all batches, in order).
Result<std::vector<Bar>> decode_bars(std::span<const std::uint8_t> bytes);

// The same values as decode_bars, into the caller's `out`, which is reused between calls (no
// allocation once it has grown to the window's size). Harrier-written bytes go through
// view_bars and a copy of the columns into the Bars' fields (kBarColumns offsets); whatever
// view_bars refuses as kUnsupported (compressed, several batches, the file format) goes through
// decode_bars. On error `out` is empty and the error is decode_bars' (kInvalidInput...).
Status decode_bars_into(std::span<const std::uint8_t> bytes, std::vector<Bar>& out);

// The metadata of a bar window, read from the schema message alone.
struct BarWindowInfo {
  std::string symbol;
  Interval interval = Interval::k1s;
  std::int64_t schema_version = 0;
};
Result<BarWindowInfo> read_bar_metadata(std::span<const std::uint8_t> bytes);

}  // namespace harrier::arrow
