// Builds a RecordBatch value by value, for tools, tests and small tables (the bar codec has its
// own fast path). The builder owns its memory until finish() hands it to the batch.
// Thread-safety: one builder per thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "arrow/types.h"
#include "core/result.h"

namespace harrier::arrow {

class BatchBuilder {
 public:
  explicit BatchBuilder(const Schema& schema);

  // Each append adds one value to column `col`. REQUIRES (checked, a bug otherwise): the call
  // matches the column's type: append_int for integer-like types (the value is truncated to
  // the type's width; uint64 values are passed bit-cast), append_double for floats,
  // append_bool for bool, append_bytes for utf8, binary and fixed_size_binary (of that width).
  void append_null(std::size_t col);
  void append_int(std::size_t col, std::int64_t v);
  void append_double(std::size_t col, double v);
  void append_bool(std::size_t col, bool v);
  void append_bytes(std::size_t col, std::string_view v);

  // The batch, or kInvalidInput if the columns differ in length. Resets the builder.
  Result<RecordBatch> finish();

 private:
  struct Column {
    std::vector<std::uint8_t> validity, values;
    std::vector<std::int32_t> offsets{0};
    std::int64_t length = 0, nulls = 0;
  };
  void push_valid(Column& c, bool valid);

  std::vector<DataType> types_;
  std::vector<Column> cols_;
};

}  // namespace harrier::arrow
