#include "arrow/writer.h"

#include <fmt/format.h>

#include <cstring>
#include <deque>

#include "arrow/ipc_internal.h"

namespace harrier::arrow {
namespace {

struct Piece {
  const std::uint8_t* data;
  std::size_t size;
};

void append_framed(const flatbuffers::FlatBufferBuilder& b, std::vector<std::uint8_t>& out) {
  const std::span<const std::uint8_t> fb(b.GetBufferPointer(), b.GetSize());
  const std::size_t at = out.size();
  out.resize(at + detail::framed_size(fb.size()));
  detail::write_framed(out.data() + at, fb);
}

}  // namespace

void append_schema_message(const Schema& schema, std::vector<std::uint8_t>& out) {
  flatbuffers::FlatBufferBuilder b(1024);
  detail::build_schema_message(b, schema);
  append_framed(b, out);
}

Status append_batch_message(const Schema& schema, const RecordBatch& batch,
                            std::vector<std::uint8_t>& out) {
  if (batch.num_columns() != schema.fields.size()) {
    return invalid_input(fmt::format("arrow writer: batch has {} columns, schema {}",
                                     batch.num_columns(), schema.fields.size()));
  }
  const std::int64_t rows = batch.num_rows();
  std::vector<detail::fbs::FieldNode> nodes;
  std::vector<Piece> pieces;
  std::deque<std::vector<std::int32_t>> rebased;  // offsets that did not start at 0
  for (std::size_t i = 0; i < batch.num_columns(); ++i) {
    const ColumnView& c = batch.column(i);
    const DataType& t = schema.fields[i].type;
    auto fail = [&](std::string_view what) {
      return invalid_input(fmt::format("arrow writer: field {} '{}' ({}): {}", i,
                                       schema.fields[i].name, t.to_string(), what));
    };
    if (c.length != rows) return fail(fmt::format("{} rows, batch has {}", c.length, rows));
    const auto n = static_cast<std::size_t>(rows);
    const std::size_t bitmap_bytes = (n + 7) / 8;
    if (t.id == TypeId::kNull) {
      nodes.emplace_back(rows, rows);
      continue;
    }
    if (c.null_count < 0 || c.null_count > rows) return fail("null_count out of range");
    nodes.emplace_back(rows, c.null_count);
    if (c.null_count > 0) {
      if (c.validity == nullptr) return fail("null_count > 0 without a validity bitmap");
      pieces.push_back({c.validity, bitmap_bytes});
    } else {
      pieces.push_back({nullptr, 0});
    }
    if (t.id == TypeId::kBool) {
      if (n > 0 && c.values == nullptr) return fail("no values");
      pieces.push_back({c.values, bitmap_bytes});
    } else if (t.is_var_width()) {
      if (c.offsets == nullptr) return fail("no offsets");
      const std::int32_t first = c.offsets[0];
      const std::int32_t last = c.offsets[n];
      if (first < 0 || last < first) return fail("offsets out of order");
      if (first == 0) {
        pieces.push_back({reinterpret_cast<const std::uint8_t*>(c.offsets), (n + 1) * 4});
      } else {
        auto& v = rebased.emplace_back(c.offsets, c.offsets + n + 1);
        for (auto& o : v) o -= first;
        pieces.push_back({reinterpret_cast<const std::uint8_t*>(v.data()), (n + 1) * 4});
      }
      pieces.push_back({c.values + first, static_cast<std::size_t>(last - first)});
    } else {
      const std::size_t bytes = n * static_cast<std::size_t>(t.value_bytes());
      if (n > 0 && (c.values == nullptr || c.values_size < bytes)) {
        return fail("values buffer too small");
      }
      pieces.push_back({c.values, bytes});
    }
  }
  std::vector<detail::fbs::Buffer> buffers;
  buffers.reserve(pieces.size());
  std::int64_t body = 0;
  for (const Piece& p : pieces) {
    buffers.emplace_back(body, static_cast<std::int64_t>(p.size));
    body += static_cast<std::int64_t>(detail::pad8(p.size));
  }
  flatbuffers::FlatBufferBuilder b(1024);
  detail::build_batch_message(b, rows, nodes, buffers, body);
  append_framed(b, out);
  std::size_t at = out.size();
  out.resize(at + static_cast<std::size_t>(body), 0);
  for (const Piece& p : pieces) {
    if (p.size > 0) std::memcpy(out.data() + at, p.data, p.size);
    at += detail::pad8(p.size);
  }
  return ok();
}

void append_end_of_stream(std::vector<std::uint8_t>& out) {
  const std::uint8_t eos[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0};
  out.insert(out.end(), eos, eos + 8);
}

Status write_stream(const Table& table, std::vector<std::uint8_t>& out) {
  append_schema_message(table.schema, out);
  for (const RecordBatch& b : table.batches) {
    HARRIER_TRY(append_batch_message(table.schema, b, out));
  }
  append_end_of_stream(out);
  return ok();
}

}  // namespace harrier::arrow
