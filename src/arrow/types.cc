#include "arrow/types.h"

#include <fmt/format.h>

namespace harrier::arrow {

std::string_view time_unit_name(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond:
      return "s";
    case TimeUnit::kMilli:
      return "ms";
    case TimeUnit::kMicro:
      return "us";
    case TimeUnit::kNano:
      return "ns";
  }
  return "?";
}

int DataType::value_bytes() const {
  switch (id) {
    case TypeId::kInt:
    case TypeId::kFloat:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kDuration:
      return bit_width / 8;
    case TypeId::kFixedSizeBinary:
      return byte_width;
    case TypeId::kNull:
    case TypeId::kBool:
    case TypeId::kUtf8:
    case TypeId::kBinary:
      return 0;
  }
  return 0;
}

bool DataType::is_integer_like() const {
  switch (id) {
    case TypeId::kInt:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kDuration:
      return true;
    default:
      return false;
  }
}

std::string DataType::to_string() const {
  switch (id) {
    case TypeId::kNull:
      return "null";
    case TypeId::kBool:
      return "bool";
    case TypeId::kInt:
      return fmt::format("{}int{}", is_signed ? "" : "u", bit_width);
    case TypeId::kFloat:
      return fmt::format("float{}", bit_width);
    case TypeId::kUtf8:
      return "utf8";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kFixedSizeBinary:
      return fmt::format("fixed_size_binary[{}]", byte_width);
    case TypeId::kDate:
      return bit_width == 32 ? "date32[day]" : "date64[ms]";
    case TypeId::kTime:
      return fmt::format("time{}[{}]", bit_width, time_unit_name(unit));
    case TypeId::kTimestamp:
      if (timezone.empty()) return fmt::format("timestamp[{}]", time_unit_name(unit));
      return fmt::format("timestamp[{}, tz={}]", time_unit_name(unit), timezone);
    case TypeId::kDuration:
      return fmt::format("duration[{}]", time_unit_name(unit));
  }
  return "?";
}

std::optional<std::string_view> find_metadata(const KeyValueMetadata& md, std::string_view key) {
  for (const auto& [k, v] : md) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::size_t> Schema::field_index(std::string_view name) const {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return i;
  }
  return std::nullopt;
}

namespace {
template <typename T>
T load(const std::uint8_t* p, std::int64_t i) {
  T v;
  std::memcpy(&v, p + static_cast<std::size_t>(i) * sizeof(T), sizeof(T));
  return v;
}
}  // namespace

std::int64_t ColumnView::int_at(const DataType& type, std::int64_t i) const {
  switch (type.bit_width) {
    // Each branch converts on its own: a ?: over int32_t and uint32_t would be uint32_t.
    case 8:
      if (type.is_signed) return load<std::int8_t>(values, i);
      return load<std::uint8_t>(values, i);
    case 16:
      if (type.is_signed) return load<std::int16_t>(values, i);
      return load<std::uint16_t>(values, i);
    case 32:
      if (type.is_signed) return load<std::int32_t>(values, i);
      return load<std::uint32_t>(values, i);
    default:
      return load<std::int64_t>(values, i);
  }
}

double ColumnView::float_at(const DataType& type, std::int64_t i) const {
  if (type.bit_width == 32) return static_cast<double>(load<float>(values, i));
  return load<double>(values, i);
}

std::uint8_t* RecordBatch::own(std::size_t bytes) {
  owned_.push_back(std::make_unique<std::uint64_t[]>((bytes + 7) / 8));
  return reinterpret_cast<std::uint8_t*>(owned_.back().get());
}

std::int64_t Table::num_rows() const {
  std::int64_t n = 0;
  for (const RecordBatch& b : batches) n += b.num_rows();
  return n;
}

}  // namespace harrier::arrow
