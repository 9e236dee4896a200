#include "arrow/bar_window.h"

#include <algorithm>
#include <cstring>

#include "arrow/ipc_internal.h"

namespace harrier::arrow {

BarWindowEncoder::BarWindowEncoder(std::size_t window)
    : window_(window == 0 ? 1 : window), values_(kBarColumnCount * window_) {}

void BarWindowEncoder::push(const Bar& bar) {
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

template <typename Buf>
Status BarWindowEncoder::encode_into(std::string_view symbol, Interval iv, Buf& out) {
  HARRIER_TRY(encoder_.prepare(symbol, iv));
  std::uint8_t* body = encoder_.frame(rows_, out);
  for (std::size_t c = 0; c < kBarColumnCount; ++c) {
    std::uint8_t* dst = body + encoder_.meta_->col_offset[c];
    // The oldest rows up to the ring's end, then the rest from its start.
    const std::uint64_t* col = column(c);
    const std::size_t first = std::min(rows_, window_ - start_);
    auto copy_rows = [&](std::uint8_t* to) {
      if (first == 0) return;  // no rows: `to` may be null (an empty scratch)
      std::memcpy(to, col + start_, first * sizeof(std::uint64_t));
      if (first < rows_) {
        std::memcpy(to + first * sizeof(std::uint64_t), col,
                    (rows_ - first) * sizeof(std::uint64_t));
      }
    };
    if (kBarColumns[c].type != ColumnType::kBool) {
      copy_rows(dst);
      continue;
    }
    // Bit r of the bitmap is row r (values are 0 or 1); the bytes up to the 8-byte boundary
    // are zero. Eight rows a byte, from the rows in order.
    // One scratch for every window of the thread: its pages stay warm.
    thread_local std::vector<std::uint64_t> scratch;
    if (scratch.size() < rows_) scratch.resize(rows_);
    copy_rows(reinterpret_cast<std::uint8_t*>(scratch.data()));
    const std::uint64_t* src = scratch.data();
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
