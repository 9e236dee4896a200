// Text helpers for every CSV Harrier reads or writes.
// Writing: numbers in the shortest form that reads back to the same double (std::to_chars),
// integers plainly, fields quoted per RFC 4180 only where needed.
// Reading: strict parsers over string_view that accept the whole field or fail.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace harrier::text {

// Appends the shortest round-trip form of `v` ("167.41", "nan", "inf", "-0", "1e+21").
void append_double(std::string& out, double v);
void append_int(std::string& out, std::int64_t v);
// Appends `field`, quoted with doubled quotes if it holds a comma, quote, CR or LF.
void append_csv_field(std::string& out, std::string_view field);

// Whole-field parsers: nullopt unless every byte is consumed. Doubles accept what
// std::from_chars accepts in general format (so "nan" and "inf" parse; callers check).
std::optional<double> parse_double(std::string_view s);
std::optional<std::int64_t> parse_int(std::string_view s);

// Splits `line` at commas into at most `max_fields` views (no quoting: Harrier's tick formats
// never quote). Returns the number of fields found, or max_fields + 1 if there were more.
std::size_t split_csv(std::string_view line, std::string_view* fields, std::size_t max_fields);

}  // namespace harrier::text
