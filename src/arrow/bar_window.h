// A bar window kept in Arrow's column layout: the last `window` bars of one (symbol, interval),
// stored column by column, so that encoding the window is one memcpy per column instead of a
// gather of every value from 120 Bars 360 bytes apart. What P1's bar thread needs per seal:
// push() the new bar, encode() the window. encode() writes exactly the bytes that
// BarEncoder::encode writes for the same bars (docs/arrow-ipc.md).
//
// Storage: each column is a ring of `window` values; a push overwrites the oldest row once the
// window is full, and encode() copies a column in at most two pieces. A ring, not a column of
// 2 x window values whose live rows slide to the front when they reach its end: a window spans
// half the pages (11 for 120 rows of 45 columns, 21 before), and on the 2-core VM of issue #7
// a page left untouched for a while costs more to touch again (a store to one byte of each
// page: 0.18 us after 1 s, 0.65 us after 15 s, 0.8-1.9 us after 40-45 s), which a window
// sealed once a second or once a minute always is: the pushes were 39% of P1's bar thread at a
// 100-symbol boundary's seals (perf). No 43 KB move every `window` pushes either.
// Thread-safety: used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arrow/bar_codec.h"
#include "core/piece_source.h"

namespace harrier::arrow {

class BarWindowEncoder {
 public:
  // REQUIRES: window >= 1.
  explicit BarWindowEncoder(std::size_t window);
  BarWindowEncoder(const BarWindowEncoder&) = delete;
  BarWindowEncoder& operator=(const BarWindowEncoder&) = delete;

  // Appends `bar` as the newest row; the oldest row goes once the window is full.
  void push(const Bar& bar);
  // Replaces the rows with the last `window` of `bars` (oldest first).
  void assign(std::span<const Bar> bars);
  std::size_t size() const { return rows_; }
  std::size_t window() const { return window_; }
  // Row i, oldest first. REQUIRES: i < size().
  Bar bar(std::size_t i) const;

  // As BarEncoder::prepare.
  Status prepare(std::string_view symbol, Interval iv) { return encoder_.prepare(symbol, iv); }
  // Replaces the contents of `out` with the stream of the window's rows: the same bytes as
  // BarEncoder::encode of those bars. Errors as BarEncoder::encode.
  Status encode(std::string_view symbol, Interval iv, std::string& out);
  Status encode(std::string_view symbol, Interval iv, std::vector<std::uint8_t>& out);

  // The same stream without copying the columns, as a PieceSource: its pieces, one after
  // another, are encode()'s bytes: the schema and batch messages, each column's rows where the
  // ring keeps them (two pieces where it wraps), each bool column's bitmap, the end-of-stream
  // marker. They stay valid and unchanged while the source lives: a push while a source holds
  // the ring writes to a copy of it. What P1 hands its IO thread, so that the bar thread copies
  // no window (4-6 us a seal at a 500-seal boundary) and writes no list of its pieces either
  // (the IO thread lists them into its write). Up to kMaxDescribedRows rows (describable());
  // errors as encode().
  static constexpr std::size_t kMaxDescribedRows = BarEncoder::kSharedBatchRows;
  bool describable() const { return rows_ <= kMaxDescribedRows; }
  Status describe(std::string_view symbol, Interval iv, std::shared_ptr<const PieceSource>& out);
  // Pushes that found the ring still held by a pin and copied it (the IO thread a whole bar
  // behind).
  std::uint64_t ring_copies() const { return ring_copies_; }

 private:
  template <typename Buf>
  Status encode_into(std::string_view symbol, Interval iv, Buf& out);
  std::uint64_t* column(std::size_t c) { return ring_->data() + c * window_; }
  const std::uint64_t* column(std::size_t c) const { return ring_->data() + c * window_; }
  void own_ring();  // before a push: copies the ring when a pin holds it
  // The rows of the `bool_index`-th bool column as an Arrow bitmap into `dst` ((rows + 7) / 8
  // bytes written; zero the padding beyond them).
  void pack_bitmap(std::size_t bool_index, std::uint8_t* dst) const;
  std::size_t bit_words() const { return (2 * window_ + 63) / 64; }
  // Ring slot of live row i (0 = oldest).
  std::size_t slot(std::size_t i) const {
    const std::size_t j = start_ + i;
    return j >= window_ ? j - window_ : j;
  }

  std::size_t window_;
  std::size_t start_ = 0;  // ring slot of the oldest live row, in every column
  std::size_t rows_ = 0;
  // Column c's ring at [c * window_, (c + 1) * window_): the 8 bytes of the Bar field as they
  // are, a bool as 0 or 1. Shared with the pins of described streams.
  std::shared_ptr<std::vector<std::uint64_t>> ring_;
  // Each bool column's rows again as bits, bit_words() words a column: slot i's bit at i and at
  // i + window_, so that the live rows are one run of bits wherever the ring starts (a bitmap is
  // a shift of words, not a gather of 120 values). This thread's alone.
  std::vector<std::uint64_t> bits_;
  std::uint64_t ring_copies_ = 0;
  BarEncoder encoder_;
  // encoder_'s schema message for (schema_symbol_, schema_iv_), shared with the pins.
  std::shared_ptr<const std::vector<std::uint8_t>> schema_;
  std::string schema_symbol_;
  Interval schema_iv_ = Interval::k1s;
};

}  // namespace harrier::arrow
