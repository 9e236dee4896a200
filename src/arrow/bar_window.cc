#include "arrow/bar_window.h"

#include <cstring>

#include "arrow/ipc_internal.h"

namespace harrier::arrow {

BarWindowEncoder::BarWindowEncoder(std::size_t window)
    : window_(window == 0 ? 1 : window),
      capacity_(2 * window_),
      values_(kBarColumnCount * capacity_) {}

void BarWindowEncoder::push(const Bar& bar) {
  if (start_ + rows_ == capacity_) {
    // No room after the live rows: move the newest window - 1 to the front.
    const std::size_t keep = std::min(rows_, window_ - 1);
    for (std::size_t c = 0; c < kBarColumnCount; ++c) {
      std::uint64_t* col = column(c);
      std::memmove(col, col + start_ + rows_ - keep, keep * sizeof(std::uint64_t));
    }
    start_ = 0;
    rows_ = keep;
  } else if (rows_ == window_) {
    ++start_;
    --rows_;
  }
  const std::size_t at = start_ + rows_;
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
  ++rows_;
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
    const std::uint64_t v = column(c)[start_ + i];
    if (kBarColumns[c].type == ColumnType::kBool) {
      const bool flag = v != 0;
      std::memcpy(dst + kBarColumns[c].offset, &flag, sizeof flag);
    } else {
      std::memcpy(dst + kBarColumns[c].offset, &v, sizeof v);
    }
  }
  return b;
}

template <typename Buf>
Status BarWindowEncoder::encode_into(std::string_view symbol, Interval iv, Buf& out) {
  HARRIER_TRY(encoder_.prepare(symbol, iv));
  std::uint8_t* body = encoder_.frame(rows_, out);
  for (std::size_t c = 0; c < kBarColumnCount; ++c) {
    std::uint8_t* dst = body + encoder_.col_offset_[c];
    const std::uint64_t* src = column(c) + start_;
    if (kBarColumns[c].type != ColumnType::kBool) {
      std::memcpy(dst, src, rows_ * sizeof(std::uint64_t));
      continue;
    }
    // Bit r of the bitmap is row r (values are 0 or 1); the bytes up to the 8-byte boundary
    // are zero. Eight rows a byte.
    std::memset(dst, 0, detail::pad8((rows_ + 7) / 8));
    std::size_t r = 0;
    for (; r + 8 <= rows_; r += 8) {
      std::uint64_t byte = 0;
      for (std::size_t k = 0; k < 8; ++k) byte |= src[r + k] << k;
      dst[r >> 3] = static_cast<std::uint8_t>(byte);
    }
    for (; r < rows_; ++r) {
      dst[r >> 3] = static_cast<std::uint8_t>(dst[r >> 3] | (src[r] << (r & 7)));
    }
  }
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
