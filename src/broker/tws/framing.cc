#include "broker/tws/framing.h"

#include <fmt/format.h>

namespace harrier::tws {

void FrameSplitter::feed(std::string_view bytes) {
  if (failed_) return;
  // Compact before growing so the buffer stays about one frame long.
  if (pos_ > 0 && (pos_ == buf_.size() || pos_ >= buf_.size() / 2)) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

Result<std::optional<std::string_view>> FrameSplitter::next() {
  if (failed_) return protocol_error(error_);
  if (buf_.size() - pos_ < 4) return std::optional<std::string_view>();
  const auto* p = reinterpret_cast<const unsigned char*>(buf_.data() + pos_);
  std::size_t len = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) |
                    (std::size_t{p[2]} << 8) | std::size_t{p[3]};
  if (len == 0 || len > max_frame_) {
    failed_ = true;
    error_ = fmt::format("tws framing: frame {} declares length {} (allowed 1..{}); stream lost",
                         frames_ + 1, len, max_frame_);
    buf_.clear();
    pos_ = 0;
    return protocol_error(error_);
  }
  if (buf_.size() - pos_ - 4 < len) return std::optional<std::string_view>();
  std::string_view payload(buf_.data() + pos_ + 4, len);
  pos_ += 4 + len;
  ++frames_;
  return std::optional<std::string_view>(payload);
}

void append_frame(std::string& out, std::string_view payload) {
  std::size_t len = payload.size();
  out.push_back(static_cast<char>((len >> 24) & 0xFF));
  out.push_back(static_cast<char>((len >> 16) & 0xFF));
  out.push_back(static_cast<char>((len >> 8) & 0xFF));
  out.push_back(static_cast<char>(len & 0xFF));
  out.append(payload);
}

std::string join_fields(std::initializer_list<std::string_view> fields) {
  std::string s;
  for (std::string_view f : fields) {
    s.append(f);
    s.push_back('\0');
  }
  return s;
}

}  // namespace harrier::tws
