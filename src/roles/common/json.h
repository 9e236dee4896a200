// Minimal JSON for heartbeats and the bench report: a writer that appends to a string, and a
// parser for what Harrier itself writes (objects, arrays, strings, numbers, booleans, null).
// The parser validates at the boundary: depth, size and syntax errors are kInvalidInput naming
// the offset. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace harrier::json {

// Appends `s` as a quoted JSON string with escapes.
void append_string(std::string& out, std::string_view s);

// Builds one object: {"a":1,"b":"x"}. Nested objects through begin_object(key)/end_object().
class Writer {
 public:
  Writer() { out_ += '{'; }
  Writer& field(std::string_view key, std::string_view value);
  Writer& field(std::string_view key, const char* value) {
    return field(key, std::string_view(value));
  }
  Writer& field(std::string_view key, std::int64_t value);
  Writer& field(std::string_view key, std::uint64_t value);
  Writer& field(std::string_view key, int value) { return field(key, std::int64_t{value}); }
  Writer& field(std::string_view key, double value);  // NaN and inf become null
  Writer& field(std::string_view key, bool value);
  Writer& raw(std::string_view key, std::string_view json);  // pre-rendered value
  Writer& begin_object(std::string_view key);
  Writer& end_object();
  // Closes the outer object and returns the text. REQUIRES: nested objects are closed.
  std::string finish();

 private:
  void key(std::string_view k);
  std::string out_;
  bool first_ = true;
};

struct Value {
  enum class Kind : std::uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Value> array;
  std::map<std::string, Value, std::less<>> object;

  // Member lookup: nullptr when this is not an object or has no such key.
  const Value* find(std::string_view key) const;
  std::optional<double> number_at(std::string_view key) const;
  std::optional<std::string> string_at(std::string_view key) const;
};

// Parses a whole document (trailing whitespace only). Depth at most 32, size at most 16 MiB.
Result<Value> parse(std::string_view text);

}  // namespace harrier::json
