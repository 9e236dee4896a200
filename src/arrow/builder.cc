#include "arrow/builder.h"

#include <fmt/format.h>

#include <cstring>
#include <limits>

#include "core/check.h"

namespace harrier::arrow {

BatchBuilder::BatchBuilder(const Schema& schema) : cols_(schema.fields.size()) {
  for (const Field& f : schema.fields) types_.push_back(f.type);
}

void BatchBuilder::push_valid(Column& c, bool valid) {
  const auto i = static_cast<std::size_t>(c.length);
  if (i % 8 == 0) c.validity.push_back(0);
  if (valid) c.validity[i / 8] = static_cast<std::uint8_t>(c.validity[i / 8] | (1u << (i % 8)));
  if (!valid) ++c.nulls;
  ++c.length;
}

void BatchBuilder::append_null(std::size_t col) {
  Column& c = cols_.at(col);
  const DataType& t = types_[col];
  if (t.id == TypeId::kBool) {
    if (c.length % 8 == 0) c.values.push_back(0);
  } else if (t.is_var_width()) {
    c.offsets.push_back(c.offsets.back());
  } else {
    c.values.resize(c.values.size() + static_cast<std::size_t>(t.value_bytes()), 0);
  }
  push_valid(c, false);
}

void BatchBuilder::append_int(std::size_t col, std::int64_t v) {
  Column& c = cols_.at(col);
  HARRIER_CHECK(types_[col].is_integer_like(), "append_int on a non-integer column");
  const auto width = static_cast<std::size_t>(types_[col].value_bytes());
  const std::size_t at = c.values.size();
  c.values.resize(at + width);
  std::memcpy(c.values.data() + at, &v, width);  // little-endian: the low bytes
  push_valid(c, true);
}

void BatchBuilder::append_double(std::size_t col, double v) {
  Column& c = cols_.at(col);
  HARRIER_CHECK(types_[col].id == TypeId::kFloat, "append_double on a non-float column");
  const std::size_t at = c.values.size();
  if (types_[col].bit_width == 32) {
    const auto f = static_cast<float>(v);
    c.values.resize(at + 4);
    std::memcpy(c.values.data() + at, &f, 4);
  } else {
    c.values.resize(at + 8);
    std::memcpy(c.values.data() + at, &v, 8);
  }
  push_valid(c, true);
}

void BatchBuilder::append_bool(std::size_t col, bool v) {
  Column& c = cols_.at(col);
  HARRIER_CHECK(types_[col].id == TypeId::kBool, "append_bool on a non-bool column");
  const auto i = static_cast<std::size_t>(c.length);
  if (i % 8 == 0) c.values.push_back(0);
  if (v) c.values[i / 8] = static_cast<std::uint8_t>(c.values[i / 8] | (1u << (i % 8)));
  push_valid(c, true);
}

void BatchBuilder::append_bytes(std::size_t col, std::string_view v) {
  Column& c = cols_.at(col);
  const DataType& t = types_[col];
  if (t.id == TypeId::kFixedSizeBinary) {
    HARRIER_CHECK(v.size() == static_cast<std::size_t>(t.byte_width), "fixed_size_binary width");
  } else {
    HARRIER_CHECK(t.is_var_width(), "append_bytes on a non-binary column");
    HARRIER_CHECK(c.values.size() + v.size() <=
                      static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()),
                  "utf8/binary column over 2 GiB");
  }
  c.values.insert(c.values.end(), v.begin(), v.end());
  if (t.is_var_width()) c.offsets.push_back(static_cast<std::int32_t>(c.values.size()));
  push_valid(c, true);
}

Result<RecordBatch> BatchBuilder::finish() {
  const std::int64_t rows = cols_.empty() ? 0 : cols_[0].length;
  for (std::size_t i = 0; i < cols_.size(); ++i) {
    if (cols_[i].length != rows) {
      return invalid_input(
          fmt::format("column {} has {} rows, column 0 has {}", i, cols_[i].length, rows));
    }
  }
  RecordBatch batch(rows, std::vector<ColumnView>(cols_.size()));
  auto copy = [&](const void* src, std::size_t n) {
    std::uint8_t* dst = batch.own(n);
    if (n > 0) std::memcpy(dst, src, n);
    return dst;
  };
  for (std::size_t i = 0; i < cols_.size(); ++i) {
    Column& c = cols_[i];
    ColumnView v;
    v.length = c.length;
    v.null_count = types_[i].id == TypeId::kNull ? c.length : c.nulls;
    if (c.nulls > 0) v.validity = copy(c.validity.data(), c.validity.size());
    v.values = copy(c.values.data(), c.values.size());
    v.values_size = c.values.size();
    if (types_[i].is_var_width()) {
      v.offsets = reinterpret_cast<const std::int32_t*>(
          copy(c.offsets.data(), c.offsets.size() * sizeof(std::int32_t)));
    }
    batch.set_column(i, v);
    c = Column{};
  }
  return batch;
}

}  // namespace harrier::arrow
