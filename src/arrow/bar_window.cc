#include "arrow/bar_window.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arrow/ipc_internal.h"

namespace harrier::arrow {

BarWindowEncoder::BarWindowEncoder(std::size_t window)
    : window_(window == 0 ? 1 : window),
      ring_(std::make_shared<std::vector<std::uint64_t>>(kBarColumnCount * window_)) {}

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
  for (std::size_t c = 0; c < kBarColumnCount; ++c) {
    std::uint64_t v;
    if (kBarColumns[c].type == ColumnType::kBool) {
      bool b;
      std::memcpy(&b, src + kBarColumns[c].offset, sizeof b);
      v = b ? 1 : 0;
    } else {
      std::memcpy(&v, src + kBarColumns[c].offset, sizeof v);
    }
    column(c)[at] = v;
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

namespace {
// Eight rows of a bool column (0 or 1 each) as one bitmap byte, the first row in bit 0.
inline std::uint8_t pack8(const std::uint64_t* v) {
  return static_cast<std::uint8_t>(v[0] | v[1] << 1 | v[2] << 2 | v[3] << 3 | v[4] << 4 |
                                   v[5] << 5 | v[6] << 6 | v[7] << 7);
}
}  // namespace

void BarWindowEncoder::pack_bitmap(const std::uint64_t* col, std::uint8_t* dst) const {
  // Bit r is row r (oldest first). A byte at a time: the ring keeps rows [0, first) at
  // col[start_...] and the rest from col[0]; only the byte that spans the wrap and a last
  // partial byte go row by row (row by row throughout, this was a quarter of a 100-symbol
  // boundary's instructions, callgrind).
  const std::size_t first = std::min(rows_, window_ - start_);
  for (std::size_t r = 0; r < rows_; r += 8) {
    if (r + 8 <= first) {
      dst[r >> 3] = pack8(col + start_ + r);
    } else if (r >= first && r + 8 <= rows_) {
      dst[r >> 3] = pack8(col + (r - first));
    } else {
      std::uint64_t bits = 0;
      for (std::size_t i = 0; i < 8 && r + i < rows_; ++i) bits |= col[slot(r + i)] << i;
      dst[r >> 3] = static_cast<std::uint8_t>(bits);
    }
  }
}

template <typename Buf>
Status BarWindowEncoder::encode_into(std::string_view symbol, Interval iv, Buf& out) {
  HARRIER_TRY(encoder_.prepare(symbol, iv));
  std::uint8_t* body = encoder_.frame(rows_, out);
  for (std::size_t c = 0; c < kBarColumnCount; ++c) {
    std::uint8_t* dst = body + encoder_.meta_->col_offset[c];
    // The oldest rows up to the ring's end, then the rest from its start.
    const std::uint64_t* col = column(c);
    if (kBarColumns[c].type == ColumnType::kBool) {
      std::memset(dst, 0, detail::pad8((rows_ + 7) / 8));
      pack_bitmap(col, dst);
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
constexpr std::size_t kBools = [] {
  std::size_t n = 0;
  for (const auto& col : kBarColumns) n += col.type == ColumnType::kBool ? 1 : 0;
  return n;
}();

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
  for (std::size_t c = 0; c < kBarColumnCount; ++c) {
    if (kBarColumns[c].type != ColumnType::kBool) continue;
    pack_bitmap(column(c), bitmap);
    bitmap += d->bitmap_bytes;
  }
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
