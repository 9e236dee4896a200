// Splits a ByteSource into lines without allocating per line. Lines are string_views into one
// reusable buffer and stay valid until the next call to next(). "\n" and "\r\n" endings are
// both accepted; the last line may lack its newline. Not thread-safe: one owner.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "feed/byte_source.h"

namespace harrier::feed {

struct Line {
  std::string_view text;     // without the line ending; empty when too_long
  std::uint64_t number = 0;  // 1-based line number in the source
  bool too_long = false;     // the line was longer than the buffer and was skipped whole
};

class LineReader {
 public:
  static constexpr std::size_t kDefaultBufferBytes = 256 * 1024;

  // REQUIRES: buffer_bytes >= 2. Lines longer than buffer_bytes - 1 are reported too_long.
  explicit LineReader(std::unique_ptr<ByteSource> source,
                      std::size_t buffer_bytes = kDefaultBufferBytes);

  // Writes the next line to `out` and returns true, or returns false at the end of input.
  // Returns the source's error when a read fails.
  Result<bool> next(Line& out);

 private:
  // Moves the unread tail to the front of the buffer and reads more after it.
  // Returns false at the end of input.
  Result<bool> fill();

  std::unique_ptr<ByteSource> source_;
  std::vector<char> buf_;
  std::size_t begin_ = 0;  // first unread byte
  std::size_t scan_ = 0;   // bytes before this (from begin_) hold no newline
  std::size_t end_ = 0;    // one past the last valid byte
  std::uint64_t line_no_ = 0;
  bool eof_ = false;
};

}  // namespace harrier::feed
