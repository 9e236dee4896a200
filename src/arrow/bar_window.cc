#include "arrow/bar_window.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>

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

void BarWindowEncoder::pack_bitmap(const std::uint64_t* col, std::uint8_t* dst) const {
  // Bit r is row r (oldest first; values are 0 or 1). `dst` is zeroed by the caller.
  for (std::size_t r = 0; r < rows_; ++r) {
    dst[r >> 3] = static_cast<std::uint8_t>(dst[r >> 3] | (col[slot(r)] << (r & 7)));
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
// What a described stream's pieces point into, beyond the shared batch messages.
struct Described {
  std::shared_ptr<const std::vector<std::uint64_t>> ring;
  std::shared_ptr<const std::vector<std::uint8_t>> schema;
  std::vector<std::uint8_t> bitmaps;
};
constexpr std::uint8_t kEndOfStream[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0};
std::string_view bytes_of(const std::uint8_t* p, std::size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}
}  // namespace

Status BarWindowEncoder::describe(std::string_view symbol, Interval iv,
                                  std::vector<std::string_view>& pieces,
                                  std::shared_ptr<const void>& pin, std::size_t& bytes) {
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
  const std::size_t bitmap_bytes = detail::pad8((rows_ + 7) / 8);
  std::size_t bools = 0;
  for (const auto& col : kBarColumns) bools += col.type == ColumnType::kBool ? 1 : 0;
  d->bitmaps.assign(bools * bitmap_bytes, 0);

  pieces.clear();
  pieces.reserve(2 * kBarColumnCount + 3);
  pieces.push_back(bytes_of(schema_->data(), schema_->size()));
  pieces.push_back(bytes_of(meta.msg.data(), meta.msg.size()));
  const std::size_t first = std::min(rows_, window_ - start_);
  std::size_t bitmap = 0;
  for (std::size_t c = 0; c < kBarColumnCount; ++c) {
    const std::uint64_t* col = column(c);
    if (kBarColumns[c].type != ColumnType::kBool) {
      const auto* ring = reinterpret_cast<const std::uint8_t*>(col);
      if (first > 0) pieces.push_back(bytes_of(ring + start_ * 8, first * 8));
      if (first < rows_) pieces.push_back(bytes_of(ring, (rows_ - first) * 8));
      continue;
    }
    std::uint8_t* dst = d->bitmaps.data() + bitmap;
    pack_bitmap(col, dst);
    if (bitmap_bytes > 0) pieces.push_back(bytes_of(dst, bitmap_bytes));
    bitmap += bitmap_bytes;
  }
  pieces.push_back(bytes_of(kEndOfStream, sizeof kEndOfStream));
  bytes = schema_->size() + meta.msg.size() + meta.body_size + sizeof kEndOfStream;
  pin = std::move(d);
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
