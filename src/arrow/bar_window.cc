#include "arrow/bar_window.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arrow/ipc_internal.h"

namespace harrier::arrow {

namespace {
constexpr std::size_t kBools = [] {
  std::size_t n = 0;
  for (const auto& col : kBarColumns) n += col.type == ColumnType::kBool ? 1 : 0;
  return n;
}();
// The bool columns' indexes.
constexpr std::array<std::size_t, kBools> kBoolColumns = [] {
  std::array<std::size_t, kBools> out{};
  std::size_t n = 0;
  for (std::size_t c = 0; c < kBarColumnCount; ++c) {
    if (kBarColumns[c].type == ColumnType::kBool) out[n++] = c;
  }
  return out;
}();

// Column C's value of the Bar at `src` as the ring keeps it (a bool as 0 or 1).
template <std::size_t C>
std::uint64_t ring_value(const std::uint8_t* src) {
  if constexpr (kBarColumns[C].type == ColumnType::kBool) {
    bool b;
    std::memcpy(&b, src + kBarColumns[C].offset, sizeof b);
    return b ? 1 : 0;
  } else {
    std::uint64_t v;
    std::memcpy(&v, src + kBarColumns[C].offset, sizeof v);
    return v;
  }
}
// Every column's value into slot `at` of its ring, unrolled (a loop over the column table was
// ~13 instructions a column).
template <std::size_t... C>
void store_row(const std::uint8_t* src, std::uint64_t* ring, std::size_t window, std::size_t at,
               std::index_sequence<C...>) {
  ((ring[C * window + at] = ring_value<C>(src)), ...);
}
}  // namespace

BarWindowEncoder::BarWindowEncoder(std::size_t window)
    : window_(window == 0 ? 1 : window),
      ring_(std::make_shared<std::vector<std::uint64_t>>(kBarColumnCount * window_)),
      bits_(kBools * bit_words(), 0) {}

void BarWindowEncoder::own_ring() {
  if (ring_.use_count() > 1) {
    // A described stream not yet sent reads this ring (every row of a full window): write to
    // a copy, the pin keeps the old one.
    ring_ = std::make_shared<std::vector<std::uint64_t>>(*ring_);
    ++ring_copies_;
  } else {
    // The last pin's release (another thread, after its reads) happens before these writes.
    std::atomic_thread_fence(std::memory_order_acquire);
  }
}

void BarWindowEncoder::push(const Bar& bar) {
  own_ring();
  const std::size_t at = slot(rows_);  // past the newest, or the oldest once full
  const auto* src = reinterpret_cast<const std::uint8_t*>(&bar);
  store_row(src, ring_->data(), window_, at, std::make_index_sequence<kBarColumnCount>{});
  // Each bool column's bit, at `at` and at `at + window_`.
  for (std::size_t b = 0; b < kBools; ++b) {
    std::uint64_t* words = bits_.data() + b * bit_words();
    const std::uint64_t v = column(kBoolColumns[b])[at];
    for (const std::size_t i : {at, at + window_}) {
      words[i / 64] = (words[i / 64] & ~(std::uint64_t{1} << (i % 64))) | v << (i % 64);
    }
  }
  if (rows_ < window_) {
    ++rows_;
  } else {
    start_ = slot(1);
  }
}

void BarWindowEncoder::assign(std::span<const Bar> bars) {
  start_ = 0;
  rows_ = 0;
  if (bars.size() > window_) bars = bars.subspan(bars.size() - window_);
  for (const Bar& b : bars) push(b);
}

Bar BarWindowEncoder::bar(std::size_t i) const {
  Bar b;
  auto* dst = reinterpret_cast<std::uint8_t*>(&b);
  for (std::size_t c = 0; c < kBarColumnCount; ++c) {
    const std::uint64_t v = column(c)[slot(i)];
    if (kBarColumns[c].type == ColumnType::kBool) {
      const bool flag = v != 0;
      std::memcpy(dst + kBarColumns[c].offset, &flag, sizeof flag);
    } else {
      std::memcpy(dst + kBarColumns[c].offset, &v, sizeof v);
    }
  }
  return b;
}

void BarWindowEncoder::pack_bitmap(std::size_t bool_index, std::uint8_t* dst) const {
  // Rows [0, rows_) are bits [start_, start_ + rows_) of the doubled ring: 64 at a time, each
  // word put together from the two it straddles (row by row from the ring's values, this was a
  // quarter of a 100-symbol boundary's instructions, callgrind).
  const std::uint64_t* words = bits_.data() + bool_index * bit_words();
  const std::size_t shift = start_ % 64;
  const std::size_t bytes = (rows_ + 7) / 8;
  for (std::size_t r = 0, w = start_ / 64; r < rows_; r += 64, ++w) {
    std::uint64_t v = words[w] >> shift;
    if (shift != 0 && w + 1 < bit_words()) v |= words[w + 1] << (64 - shift);
    if (rows_ - r < 64) v &= (std::uint64_t{1} << (rows_ - r)) - 1;  // no bit past the last row
    if (std::endian::native == std::endian::little && r / 8 + 8 <= bytes) {
      std::memcpy(dst + r / 8, &v, 8);  // rows r.. r + 63 in bytes r / 8.., the first in bit 0
      continue;
    }
    for (std::size_t k = 0; k < 8 && r / 8 + k < bytes; ++k) {
      dst[r / 8 + k] = static_cast<std::uint8_t>(v >> (8 * k));
    }
  }
}

template <typename Buf>
Status BarWindowEncoder::encode_into(std::string_view symbol, Interval iv, Buf& out) {
  HARRIER_TRY(encoder_.prepare(symbol, iv));
  std::uint8_t* body = encoder_.frame(rows_, out);
  std::size_t bools = 0;
  for (std::size_t c = 0; c < kBarColumnCount; ++c) {
    std::uint8_t* dst = body + encoder_.meta_->col_offset[c];
    const std::uint64_t* col = column(c);
    if (kBarColumns[c].type == ColumnType::kBool) {
      std::memset(dst, 0, detail::pad8((rows_ + 7) / 8));
      pack_bitmap(bools++, dst);
      continue;
    }
    // The oldest rows up to the ring's end, then the rest from its start.
    const std::size_t first = std::min(rows_, window_ - start_);
    if (first > 0) std::memcpy(dst, col + start_, first * sizeof(std::uint64_t));
    if (first < rows_) {
      std::memcpy(dst + first * sizeof(std::uint64_t), col,
                  (rows_ - first) * sizeof(std::uint64_t));
    }
  }
  return ok();
}

namespace {
constexpr std::uint8_t kEndOfStream[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0};
std::string_view bytes_of(const std::uint8_t* p, std::size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}
// A described stream: what its pieces point into (beyond the shared batch messages), and where.
// Small, so that the bar thread writes a few cache lines a seal, not a list of ~90 pieces.
class Described final : public PieceSource {
 public:
  std::size_t size() const override { return bytes; }
  void append_pieces(std::vector<std::string_view>& out) const override {
    const std::size_t first = std::min(rows, window - start);
    out.push_back(bytes_of(schema->data(), schema->size()));
    out.push_back(batch_msg);
    const auto* base = reinterpret_cast<const std::uint8_t*>(ring->data());
    const std::uint8_t* bitmap = bitmaps();
    for (std::size_t c = 0; c < kBarColumnCount; ++c) {
      if (kBarColumns[c].type == ColumnType::kBool) {
        if (bitmap_bytes > 0) out.push_back(bytes_of(bitmap, bitmap_bytes));
        bitmap += bitmap_bytes;
        continue;
      }
      const std::uint8_t* col = base + c * window * 8;
      if (first > 0) out.push_back(bytes_of(col + start * 8, first * 8));
      if (first < rows) out.push_back(bytes_of(col, (rows - first) * 8));
    }
    out.push_back(bytes_of(kEndOfStream, sizeof kEndOfStream));
  }

  // kBools bitmaps of bitmap_bytes each: in `small` up to 128 rows (a 120-bar window), else in
  // `large`.
  std::uint8_t* make_bitmaps() {
    if (kBools * bitmap_bytes <= small.size()) return small.data();
    large.assign(kBools * bitmap_bytes, 0);
    return large.data();
  }
  const std::uint8_t* bitmaps() const { return large.empty() ? small.data() : large.data(); }

  std::shared_ptr<const std::vector<std::uint64_t>> ring;
  std::shared_ptr<const std::vector<std::uint8_t>> schema;
  std::string_view batch_msg;  // BarEncoder's shared batch message: lives forever
  std::size_t window = 0, start = 0, rows = 0, bytes = 0, bitmap_bytes = 0;
  std::array<std::uint8_t, 16 * kBools> small{};
  std::vector<std::uint8_t> large;
};
}  // namespace

Status BarWindowEncoder::describe(std::string_view symbol, Interval iv,
                                  std::shared_ptr<const PieceSource>& out) {
  if (!describable()) {
    return invalid_input("bar window: " + std::to_string(rows_) + " rows, more than " +
                         std::to_string(kMaxDescribedRows) + " can be described");
  }
  HARRIER_TRY(encoder_.prepare(symbol, iv));
  if (!schema_ || schema_symbol_ != symbol || schema_iv_ != iv) {
    schema_ = std::make_shared<const std::vector<std::uint8_t>>(encoder_.schema_msg_);
    schema_symbol_.assign(symbol);
    schema_iv_ = iv;
  }
  const BarEncoder::BatchMeta& meta = encoder_.batch_meta(rows_);  // shared: lives forever
  auto d = std::make_shared<Described>();
  d->ring = ring_;
  d->schema = schema_;
  d->batch_msg = bytes_of(meta.msg.data(), meta.msg.size());
  d->window = window_;
  d->start = start_;
  d->rows = rows_;
  d->bytes = schema_->size() + meta.msg.size() + meta.body_size + sizeof kEndOfStream;
  d->bitmap_bytes = detail::pad8((rows_ + 7) / 8);
  std::uint8_t* bitmap = d->make_bitmaps();
  for (std::size_t b = 0; b < kBools; ++b) pack_bitmap(b, bitmap + b * d->bitmap_bytes);
  out = std::move(d);
  return ok();
}

Status BarWindowEncoder::encode(std::string_view symbol, Interval iv, std::string& out) {
  return encode_into(symbol, iv, out);
}
Status BarWindowEncoder::encode(std::string_view symbol, Interval iv,
                                std::vector<std::uint8_t>& out) {
  return encode_into(symbol, iv, out);
}

}  // namespace harrier::arrow
