// Incremental frame splitter for the TWS socket stream: bytes in (arbitrary partial reads),
// frames out, no socket inside. A frame is a 4-byte big-endian length followed by that many
// payload bytes. A length of zero or above the maximum is a lie the stream cannot recover
// from (there is no resynchronisation marker), so the splitter then fails for good and the
// connection must be dropped. Owned by one thread (the socket reader); not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace harrier::tws {

// The official Java client refuses frames above 0xFFFFFF bytes (16 MiB).
inline constexpr std::size_t kMaxFrameBytes = 0xFFFFFF;

class FrameSplitter {
 public:
  explicit FrameSplitter(std::size_t max_frame_bytes = kMaxFrameBytes)
      : max_frame_(max_frame_bytes) {}

  // Appends bytes as read from the socket. Invalidates views returned by next().
  void feed(std::string_view bytes);

  // The next complete payload, or nullopt when more bytes are needed. The view stays valid
  // until the next feed(). Returns kProtocol for a zero or oversized length; after that every
  // call returns the same error.
  Result<std::optional<std::string_view>> next();

  // Bytes held that do not yet form a frame.
  std::size_t buffered() const { return buf_.size() - pos_; }
  std::uint64_t frames() const { return frames_; }
  bool failed() const { return failed_; }

 private:
  std::string buf_;
  std::size_t pos_ = 0;  // start of the first unconsumed byte
  std::size_t max_frame_;
  std::uint64_t frames_ = 0;
  bool failed_ = false;
  std::string error_;
};

// Appends `payload` as one frame (length prefix + payload). For tests and fake servers.
void append_frame(std::string& out, std::string_view payload);

// Builds a payload from fields, each terminated by NUL ("49", "1" -> "49\01\0").
std::string join_fields(std::initializer_list<std::string_view> fields);

}  // namespace harrier::tws
