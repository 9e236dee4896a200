// A bar window kept in Arrow's column layout: the last `window` bars of one (symbol, interval),
// stored column by column, so that encoding the window is one memcpy per column instead of a
// gather of every value from 120 Bars 360 bytes apart. What P1's bar thread needs per seal:
// push() the new bar, encode() the window. encode() writes exactly the bytes that
// BarEncoder::encode writes for the same bars (docs/arrow-ipc.md).
//
// Storage: each column holds 2 x window values; the live rows are contiguous in every column.
// When a push reaches the end, the newest window - 1 rows move to the front (amortised O(1)
// per push, as P1's vector of Bars did).
// Thread-safety: used by one thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arrow/bar_codec.h"

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

 private:
  template <typename Buf>
  Status encode_into(std::string_view symbol, Interval iv, Buf& out);
  std::uint64_t* column(std::size_t c) { return values_.data() + c * capacity_; }
  const std::uint64_t* column(std::size_t c) const { return values_.data() + c * capacity_; }

  std::size_t window_;
  std::size_t capacity_;   // values per column: 2 x window_
  std::size_t start_ = 0;  // first live row in every column
  std::size_t rows_ = 0;
  // Column c's values at [c * capacity_, (c + 1) * capacity_): the 8 bytes of the Bar field as
  // they are, a bool as 0 or 1.
  std::vector<std::uint64_t> values_;
  BarEncoder encoder_;
};

}  // namespace harrier::arrow
