// Record batch bodies: buffer bounds, alignment, validity bitmaps, offsets, decompression.
#include <fmt/format.h>
#include <lz4frame.h>
#include <zstd.h>

#include <bit>
#include <cstring>
#include <memory>

#include "arrow/ipc_internal.h"

namespace harrier::arrow::detail {
namespace {

constexpr std::int32_t kZeroOffset[1] = {0};

enum class Layout { kNone, kFixed, kBits, kVarWidth };

Layout layout_of(const DataType& t) {
  switch (t.id) {
    case TypeId::kNull:
      return Layout::kNone;
    case TypeId::kBool:
      return Layout::kBits;
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return Layout::kVarWidth;
    default:
      return Layout::kFixed;
  }
}

std::size_t buffer_count(Layout l) {
  switch (l) {
    case Layout::kNone:
      return 0;
    case Layout::kFixed:
    case Layout::kBits:
      return 2;
    case Layout::kVarWidth:
      return 3;
  }
  return 0;
}

std::int64_t count_nulls(const std::uint8_t* bitmap, std::int64_t length) {
  std::int64_t valid = 0;
  const std::int64_t full = length / 8;
  for (std::int64_t i = 0; i < full; ++i) valid += std::popcount(bitmap[i]);
  for (std::int64_t i = full * 8; i < length; ++i) valid += (bitmap[i >> 3] >> (i & 7)) & 1;
  return length - valid;
}

// Hands out the buffers of one record batch in order, checked against the body.
class BufferCursor {
 public:
  BufferCursor(std::span<const std::uint8_t> body,
               const flatbuffers::Vector<const fbs::Buffer*>& buffers,
               const fbs::BodyCompression* compression, const ReadOptions& options,
               RecordBatch& out)
      : body_(body), buffers_(buffers), compression_(compression), options_(options), out_(out) {}

  // The next buffer, aligned in memory to `align` bytes (copied or decompressed into storage
  // owned by the batch when it is not).
  Result<std::span<const std::uint8_t>> take(std::size_t align) {
    const std::size_t index = next_++;
    const fbs::Buffer* buf = buffers_.Get(static_cast<flatbuffers::uoffset_t>(index));
    const std::int64_t off = buf->offset();
    const std::int64_t len = buf->length();
    if (off < 0 || len < 0 || static_cast<std::uint64_t>(off) > body_.size() ||
        static_cast<std::uint64_t>(len) > body_.size() - static_cast<std::uint64_t>(off)) {
      return invalid_input(
          fmt::format("buffer {} (offset {}, length {}) lies outside the {}-byte "
                      "body",
                      index, off, len, body_.size()));
    }
    auto raw = body_.subspan(static_cast<std::size_t>(off), static_cast<std::size_t>(len));
    if (options_.require_aligned && off % 8 != 0) {
      return invalid_input(
          fmt::format("buffer {} at body offset {} is not 8-byte aligned", index, off));
    }
    if (compression_ != nullptr && !raw.empty()) {
      HARRIER_ASSIGN_OR_RETURN(std::int64_t ulen, uncompressed_length(raw));
      if (ulen == -1) {
        raw = raw.subspan(8);
      } else {
        if (ulen < 0 ||
            static_cast<std::uint64_t>(ulen) > options_.max_decompressed_bytes - decompressed_) {
          return invalid_input(
              fmt::format("buffer {}: uncompressed length {} exceeds the limit "
                          "of {} bytes per batch",
                          index, ulen, options_.max_decompressed_bytes));
        }
        const auto n = static_cast<std::size_t>(ulen);
        decompressed_ += n;
        std::uint8_t* dst = out_.own(n);
        auto st = decompress_buffer(compression_->codec(), raw, {dst, n});
        if (!st) return std::move(st).error().with_context(fmt::format("buffer {}", index));
        return std::span<const std::uint8_t>(dst, n);
      }
    }
    if (!raw.empty() && reinterpret_cast<std::uintptr_t>(raw.data()) % align != 0) {
      if (options_.require_aligned) {
        return invalid_input(
            fmt::format("buffer {} is not aligned to {} bytes in memory", index, align));
      }
      std::uint8_t* dst = out_.own(raw.size());
      std::memcpy(dst, raw.data(), raw.size());
      return std::span<const std::uint8_t>(dst, raw.size());
    }
    return raw;
  }

 private:
  std::span<const std::uint8_t> body_;
  const flatbuffers::Vector<const fbs::Buffer*>& buffers_;
  const fbs::BodyCompression* compression_;
  const ReadOptions& options_;
  RecordBatch& out_;
  std::size_t next_ = 0;
  std::size_t decompressed_ = 0;
};

Status read_column(const Field& field, std::int64_t length, std::int64_t null_count,
                   BufferCursor& cursor, ColumnView& col) {
  col.length = length;
  col.null_count = null_count;
  const Layout layout = layout_of(field.type);
  if (layout == Layout::kNone) {
    col.null_count = length;
    return ok();
  }
  const auto bitmap_bytes = static_cast<std::size_t>((length + 7) / 8);
  HARRIER_ASSIGN_OR_RETURN(auto validity, cursor.take(1));
  if (null_count > 0) {
    if (validity.size() < bitmap_bytes) {
      return invalid_input(fmt::format("validity bitmap has {} bytes, {} rows need {}",
                                       validity.size(), length, bitmap_bytes));
    }
    const std::int64_t nulls = count_nulls(validity.data(), length);
    if (nulls != null_count) {
      return invalid_input(
          fmt::format("null_count is {} but the validity bitmap has {} nulls", null_count, nulls));
    }
    col.validity = validity.data();
  }
  switch (layout) {
    case Layout::kFixed: {
      const auto width = static_cast<std::size_t>(field.type.value_bytes());
      const std::size_t align = (width & (width - 1)) == 0 ? std::min<std::size_t>(width, 8) : 1;
      HARRIER_ASSIGN_OR_RETURN(auto values, cursor.take(align));
      if (values.size() / width < static_cast<std::size_t>(length)) {
        return invalid_input(fmt::format("values buffer has {} bytes, {} rows of {} need {}",
                                         values.size(), length, field.type.to_string(),
                                         static_cast<std::size_t>(length) * width));
      }
      col.values = values.data();
      col.values_size = values.size();
      return ok();
    }
    case Layout::kBits: {
      HARRIER_ASSIGN_OR_RETURN(auto values, cursor.take(1));
      if (values.size() < bitmap_bytes) {
        return invalid_input(fmt::format("bool values buffer has {} bytes, {} rows need {}",
                                         values.size(), length, bitmap_bytes));
      }
      col.values = values.data();
      col.values_size = values.size();
      return ok();
    }
    case Layout::kVarWidth: {
      HARRIER_ASSIGN_OR_RETURN(auto offsets, cursor.take(4));
      HARRIER_ASSIGN_OR_RETURN(auto data, cursor.take(1));
      col.values = data.data();
      col.values_size = data.size();
      if (length == 0 && offsets.size() < 4) {
        col.offsets = kZeroOffset;
        return ok();
      }
      if (offsets.size() / 4 < static_cast<std::size_t>(length) + 1) {
        return invalid_input(fmt::format("offsets buffer has {} bytes, {} rows need {}",
                                         offsets.size(), length, (length + 1) * 4));
      }
      const auto* o = reinterpret_cast<const std::int32_t*>(offsets.data());
      if (o[0] < 0) return invalid_input(fmt::format("first offset {} is negative", o[0]));
      for (std::int64_t i = 0; i < length; ++i) {
        if (o[i + 1] < o[i]) {
          return invalid_input(
              fmt::format("offsets decrease at row {} ({} then {})", i, o[i], o[i + 1]));
        }
      }
      if (static_cast<std::size_t>(o[length]) > data.size()) {
        return invalid_input(
            fmt::format("last offset {} is past the {}-byte data buffer", o[length], data.size()));
      }
      col.offsets = o;
      return ok();
    }
    case Layout::kNone:
      break;
  }
  return ok();
}

}  // namespace

Result<std::int64_t> uncompressed_length(std::span<const std::uint8_t> src) {
  if (src.size() < 8) {
    return invalid_input(
        fmt::format("compressed buffer of {} bytes has no 8-byte length prefix", src.size()));
  }
  std::int64_t n;
  std::memcpy(&n, src.data(), 8);
  return n;
}

Status decompress_buffer(fbs::CompressionType codec, std::span<const std::uint8_t> src,
                         std::span<std::uint8_t> dst) {
  src = src.subspan(8);
  if (codec == fbs::CompressionType_ZSTD) {
    const std::size_t r = ZSTD_decompress(dst.data(), dst.size(), src.data(), src.size());
    if (ZSTD_isError(r) != 0) {
      return invalid_input(fmt::format("zstd: {}", ZSTD_getErrorName(r)));
    }
    if (r != dst.size()) {
      return invalid_input(fmt::format("zstd: decompressed {} bytes, {} announced", r, dst.size()));
    }
    return ok();
  }
  if (codec != fbs::CompressionType_LZ4_FRAME) {
    return unsupported(fmt::format("compression codec {}", static_cast<int>(codec)));
  }
  LZ4F_dctx* raw_ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw_ctx, LZ4F_VERSION)) != 0) {
    return internal_error("lz4: cannot create a decompression context");
  }
  std::unique_ptr<LZ4F_dctx, decltype(&LZ4F_freeDecompressionContext)> ctx(
      raw_ctx, &LZ4F_freeDecompressionContext);
  const std::uint8_t* s = src.data();
  std::size_t s_left = src.size();
  std::uint8_t* d = dst.data();
  std::size_t d_left = dst.size();
  while (true) {
    std::size_t d_size = d_left;
    std::size_t s_size = s_left;
    const std::size_t r = LZ4F_decompress(ctx.get(), d, &d_size, s, &s_size, nullptr);
    if (LZ4F_isError(r) != 0) return invalid_input(fmt::format("lz4: {}", LZ4F_getErrorName(r)));
    d += d_size;
    d_left -= d_size;
    s += s_size;
    s_left -= s_size;
    if (r == 0) break;  // the frame is complete
    if (d_size == 0 && s_size == 0) {
      return invalid_input(d_left == 0 ? "lz4: frame holds more than the announced length"
                                       : "lz4: frame is truncated");
    }
  }
  if (d_left != 0) {
    return invalid_input(
        fmt::format("lz4: decompressed {} bytes, {} announced", dst.size() - d_left, dst.size()));
  }
  return ok();
}

Result<RecordBatch> batch_from_fb(const Schema& schema, const fbs::RecordBatch* batch,
                                  std::span<const std::uint8_t> body, const ReadOptions& options) {
  if (batch == nullptr) return invalid_input("record batch message without a batch table");
  const std::int64_t length = batch->length();
  if (length < 0) return invalid_input(fmt::format("negative row count {}", length));
  const auto* compression = batch->compression();
  if (compression != nullptr) {
    if (compression->method() != fbs::BodyCompressionMethod_BUFFER) {
      return unsupported(
          fmt::format("body compression method {}", static_cast<int>(compression->method())));
    }
    if (compression->codec() != fbs::CompressionType_LZ4_FRAME &&
        compression->codec() != fbs::CompressionType_ZSTD) {
      return unsupported(
          fmt::format("compression codec {}", static_cast<int>(compression->codec())));
    }
  }
  const std::size_t n_fields = schema.fields.size();
  const std::size_t n_nodes = batch->nodes() ? batch->nodes()->size() : 0;
  if (n_nodes != n_fields) {
    return invalid_input(fmt::format("{} field nodes for {} fields", n_nodes, n_fields));
  }
  std::size_t want_buffers = 0;
  for (const Field& f : schema.fields) want_buffers += buffer_count(layout_of(f.type));
  const std::size_t n_buffers = batch->buffers() ? batch->buffers()->size() : 0;
  if (n_buffers != want_buffers) {
    return invalid_input(
        fmt::format("{} buffers where the schema needs {}", n_buffers, want_buffers));
  }

  RecordBatch out(length, std::vector<ColumnView>(n_fields));
  if (n_fields == 0) return out;
  if (n_buffers == 0) {  // only null columns
    for (std::size_t i = 0; i < n_fields; ++i) {
      ColumnView c;
      c.length = length;
      c.null_count = length;
      out.set_column(i, c);
    }
    return out;
  }
  BufferCursor cursor(body, *batch->buffers(), compression, options, out);
  for (std::size_t i = 0; i < n_fields; ++i) {
    const fbs::FieldNode* node = batch->nodes()->Get(static_cast<flatbuffers::uoffset_t>(i));
    const Field& field = schema.fields[i];
    auto where = [&] {
      return fmt::format("field {} '{}' ({})", i, field.name, field.type.to_string());
    };
    if (node->length() != length) {
      return invalid_input(fmt::format("{}: node length {} differs from the batch's {} rows",
                                       where(), node->length(), length));
    }
    if (node->null_count() < 0 || node->null_count() > length) {
      return invalid_input(fmt::format("{}: null_count {} out of range for {} rows", where(),
                                       node->null_count(), length));
    }
    ColumnView col;
    auto st = read_column(field, length, node->null_count(), cursor, col);
    if (!st) return std::move(st).error().with_context(where());
    out.set_column(i, col);
  }
  return out;
}

}  // namespace harrier::arrow::detail
