// The column/table model of Harrier's Arrow IPC codec: data types, fields, schemas, and record
// batches whose columns are views. A column read from IPC bytes points into those bytes when the
// buffer is aligned for its type (no copy), otherwise into storage the RecordBatch owns. So a
// RecordBatch read by reader.h borrows the input: the input must outlive it.
// Supported physical layouts: null (no buffers), fixed width (validity + values), bool (validity
// + bit-packed values), and 32-bit-offset variable width (validity + offsets + bytes).
// Thread-safety: plain values; a const RecordBatch may be read from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace harrier::arrow {

// Logical types Harrier decodes. Everything else in the Arrow type system is reported as an
// unsupported type naming the field.
enum class TypeId : std::uint8_t {
  kNull,
  kBool,
  kInt,              // bit_width 8/16/32/64, is_signed
  kFloat,            // bit_width 32 or 64
  kUtf8,             // 32-bit offsets
  kBinary,           // 32-bit offsets
  kFixedSizeBinary,  // byte_width
  kDate,             // bit_width 32 (days) or 64 (ms)
  kTime,             // bit_width 32 (s, ms) or 64 (us, ns)
  kTimestamp,        // 64-bit, unit, optional timezone
  kDuration,         // 64-bit, unit
};

enum class TimeUnit : std::uint8_t { kSecond, kMilli, kMicro, kNano };

struct DataType {
  TypeId id = TypeId::kNull;
  int bit_width = 0;                // kInt, kFloat, kDate, kTime, kTimestamp, kDuration
  bool is_signed = true;            // kInt
  int byte_width = 0;               // kFixedSizeBinary
  TimeUnit unit = TimeUnit::kNano;  // kTime, kTimestamp, kDuration; kDate: kSecond=day, kMilli
  std::string timezone;             // kTimestamp; empty = zone-naive

  static DataType null() { return {}; }
  static DataType boolean() { return {TypeId::kBool, 1, false, 0, TimeUnit::kNano, {}}; }
  static DataType integer(int bits, bool is_signed) {
    return {TypeId::kInt, bits, is_signed, 0, TimeUnit::kNano, {}};
  }
  static DataType int64() { return integer(64, true); }
  static DataType float64() { return {TypeId::kFloat, 64, true, 0, TimeUnit::kNano, {}}; }
  static DataType float32() { return {TypeId::kFloat, 32, true, 0, TimeUnit::kNano, {}}; }
  static DataType utf8() { return {TypeId::kUtf8, 0, false, 0, TimeUnit::kNano, {}}; }
  static DataType binary() { return {TypeId::kBinary, 0, false, 0, TimeUnit::kNano, {}}; }
  static DataType timestamp(TimeUnit unit, std::string tz) {
    return {TypeId::kTimestamp, 64, true, 0, unit, std::move(tz)};
  }

  // Bytes per value of a fixed-width type; 0 for null, bool and variable-width types.
  int value_bytes() const;
  bool is_var_width() const { return id == TypeId::kUtf8 || id == TypeId::kBinary; }
  // True for the types whose values read as int64 through ColumnView::int_at (ints up to 64
  // bits, dates, times, timestamps, durations).
  bool is_integer_like() const;
  // "int64", "uint8", "float64", "bool", "utf8", "timestamp[ns, tz=UTC]", "date32[day]", ...
  std::string to_string() const;

  friend bool operator==(const DataType&, const DataType&) = default;
};

std::string_view time_unit_name(TimeUnit unit);  // "s", "ms", "us", "ns"

using KeyValueMetadata = std::vector<std::pair<std::string, std::string>>;

// The value of `key` in `md`, or nullopt. The first match wins.
std::optional<std::string_view> find_metadata(const KeyValueMetadata& md, std::string_view key);

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;
  KeyValueMetadata metadata;

  friend bool operator==(const Field&, const Field&) = default;
};

struct Schema {
  std::vector<Field> fields;
  KeyValueMetadata metadata;

  // Index of the first field called `name`, or nullopt.
  std::optional<std::size_t> field_index(std::string_view name) const;
  friend bool operator==(const Schema&, const Schema&) = default;
};

// One column of one record batch. Non-owning. A column of type null has no buffers: every
// value is null whatever is_valid() says, so check the type first.: the pointers borrow the IPC
// input or the owning RecordBatch. Buffers are aligned for their value type (the reader copies when
// they are not).
struct ColumnView {
  std::int64_t length = 0;
  std::int64_t null_count = 0;
  const std::uint8_t* validity = nullptr;  // LSB-first bitmap, or nullptr when nothing is null
  const std::uint8_t* values = nullptr;    // fixed-width values, bool bits, or var-width bytes
  std::size_t values_size = 0;             // bytes
  const std::int32_t* offsets = nullptr;   // var-width only: length + 1 entries

  bool is_valid(std::int64_t i) const {
    return validity == nullptr || ((validity[i >> 3] >> (i & 7)) & 1) != 0;
  }
  // Typed span over fixed-width values. REQUIRES: sizeof(T) matches the column's type.
  template <typename T>
  std::span<const T> as() const {
    return {reinterpret_cast<const T*>(values), static_cast<std::size_t>(length)};
  }
  bool bool_at(std::int64_t i) const { return ((values[i >> 3] >> (i & 7)) & 1) != 0; }
  // REQUIRES: var-width column.
  std::string_view string_at(std::int64_t i) const {
    return {reinterpret_cast<const char*>(values) + offsets[i],
            static_cast<std::size_t>(offsets[i + 1] - offsets[i])};
  }
  // Value i of an integer-like column (ColumnView does not know its type, so it is passed in).
  // REQUIRES: type.is_integer_like(). Unsigned 64-bit values are returned bit-cast.
  std::int64_t int_at(const DataType& type, std::int64_t i) const;
  // Value i of a float column widened to double. REQUIRES: type.id == kFloat.
  double float_at(const DataType& type, std::int64_t i) const;
};

// A record batch: equal-length columns following a schema (held by the Table). Move-only
// because columns may point into storage it owns.
class RecordBatch {
 public:
  RecordBatch() = default;
  RecordBatch(RecordBatch&&) noexcept = default;
  RecordBatch& operator=(RecordBatch&&) noexcept = default;
  RecordBatch(const RecordBatch&) = delete;
  RecordBatch& operator=(const RecordBatch&) = delete;

  std::int64_t num_rows() const { return num_rows_; }
  std::size_t num_columns() const { return columns_.size(); }
  const ColumnView& column(std::size_t i) const { return columns_[i]; }
  std::span<const ColumnView> columns() const { return columns_; }

  // Builds a batch from views. The memory they point to is borrowed (it must outlive the batch)
  // unless it lies in a buffer handed over with adopt().
  RecordBatch(std::int64_t num_rows, std::vector<ColumnView> columns)
      : num_rows_(num_rows), columns_(std::move(columns)) {}
  // Takes ownership of a heap buffer of `bytes` bytes, 8-byte aligned, and returns it.
  std::uint8_t* own(std::size_t bytes);
  void set_column(std::size_t i, const ColumnView& c) { columns_[i] = c; }

 private:
  std::int64_t num_rows_ = 0;
  std::vector<ColumnView> columns_;
  std::vector<std::unique_ptr<std::uint64_t[]>> owned_;
};

// A schema and its record batches, in order.
struct Table {
  Schema schema;
  std::vector<RecordBatch> batches;

  std::int64_t num_rows() const;
};

}  // namespace harrier::arrow
