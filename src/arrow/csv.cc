#include "arrow/csv.h"

#include <fmt/format.h>

#include <charconv>

#include "core/text.h"

namespace harrier::arrow {
namespace {

void append_value(const DataType& t, const ColumnView& c, std::int64_t r, std::string& out) {
  switch (t.id) {
    case TypeId::kNull:
      return;
    case TypeId::kBool:
      out += c.bool_at(r) ? "true" : "false";
      return;
    case TypeId::kFloat:
      if (t.bit_width == 32) {
        float f;
        std::memcpy(&f, c.values + r * 4, 4);
        char buf[32];
        auto res = std::to_chars(buf, buf + sizeof buf, f);
        out.append(buf, static_cast<std::size_t>(res.ptr - buf));
      } else {
        text::append_double(out, c.float_at(t, r));
      }
      return;
    case TypeId::kUtf8: {
      std::string_view s = c.string_at(r);
      if (s.empty()) {
        out += "\"\"";
      } else {
        text::append_csv_field(out, s);
      }
      return;
    }
    case TypeId::kBinary:
    case TypeId::kFixedSizeBinary: {
      std::string_view s =
          t.id == TypeId::kBinary
              ? c.string_at(r)
              : std::string_view(reinterpret_cast<const char*>(c.values) + r * t.byte_width,
                                 static_cast<std::size_t>(t.byte_width));
      if (s.empty()) out += "\"\"";
      for (char ch : s)
        fmt::format_to(std::back_inserter(out), "{:02x}", static_cast<unsigned char>(ch));
      return;
    }
    default:
      if (t.id == TypeId::kInt && !t.is_signed && t.bit_width == 64) {
        fmt::format_to(std::back_inserter(out), "{}", static_cast<std::uint64_t>(c.int_at(t, r)));
      } else {
        text::append_int(out, c.int_at(t, r));
      }
      return;
  }
}

void append_metadata(const KeyValueMetadata& md, std::string_view indent, std::string& out) {
  for (const auto& [k, v] : md)
    fmt::format_to(std::back_inserter(out), "{}{} = {}\n", indent, k, v);
}

}  // namespace

void append_csv_header(const Schema& schema, std::string& out) {
  for (std::size_t i = 0; i < schema.fields.size(); ++i) {
    if (i > 0) out += ',';
    text::append_csv_field(out, schema.fields[i].name);
  }
  out += '\n';
}

void append_csv_rows(const Schema& schema, const RecordBatch& batch, std::string& out) {
  for (std::int64_t r = 0; r < batch.num_rows(); ++r) {
    for (std::size_t i = 0; i < batch.num_columns(); ++i) {
      if (i > 0) out += ',';
      const ColumnView& c = batch.column(i);
      if (schema.fields[i].type.id == TypeId::kNull || !c.is_valid(r)) continue;
      append_value(schema.fields[i].type, c, r, out);
    }
    out += '\n';
  }
}

std::string describe_schema(const Schema& schema) {
  std::string out;
  for (const Field& f : schema.fields) {
    fmt::format_to(std::back_inserter(out), "{}: {}{}\n", f.name, f.type.to_string(),
                   f.nullable ? "" : " not null");
    append_metadata(f.metadata, "    ", out);
  }
  if (!schema.metadata.empty()) {
    out += "-- schema metadata --\n";
    append_metadata(schema.metadata, "", out);
  }
  return out;
}

}  // namespace harrier::arrow
