#include "feed/line_reader.h"

#include <cstring>
#include <utility>

#include "core/check.h"

namespace harrier::feed {

LineReader::LineReader(std::unique_ptr<ByteSource> source, std::size_t buffer_bytes)
    : source_(std::move(source)), buf_(buffer_bytes) {
  HARRIER_CHECK(buffer_bytes >= 2, "LineReader buffer too small");
}

Result<bool> LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    scan_ -= begin_;
    begin_ = 0;
  }
  HARRIER_ASSIGN_OR_RETURN(std::size_t n, source_->read(buf_.data() + end_, buf_.size() - end_));
  if (n == 0) {
    eof_ = true;
    return false;
  }
  end_ += n;
  return true;
}

Result<bool> LineReader::next(Line& out) {
  bool too_long = false;
  while (true) {
    const char* base = buf_.data();
    const void* nl = scan_ < end_ ? std::memchr(base + scan_, '\n', end_ - scan_) : nullptr;
    if (nl != nullptr) {
      std::size_t pos = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
      std::size_t len = pos - begin_;
      if (len > 0 && base[begin_ + len - 1] == '\r') --len;
      out.text = too_long ? std::string_view() : std::string_view(base + begin_, len);
      out.number = ++line_no_;
      out.too_long = too_long;
      begin_ = scan_ = pos + 1;
      return true;
    }
    scan_ = end_;
    if (begin_ == 0 && end_ == buf_.size()) {
      // A full buffer and no newline: the line cannot fit. Drop what we have and keep
      // reading until its end, then report it once.
      too_long = true;
      begin_ = scan_ = end_ = 0;
    }
    HARRIER_ASSIGN_OR_RETURN(bool more, fill());
    if (!more) {
      if (begin_ == end_ && !too_long) return false;
      std::size_t len = end_ - begin_;
      if (len > 0 && buf_[begin_ + len - 1] == '\r') --len;
      out.text = too_long ? std::string_view() : std::string_view(buf_.data() + begin_, len);
      out.number = ++line_no_;
      out.too_long = too_long;
      begin_ = scan_ = end_;
      return true;
    }
  }
}

}  // namespace harrier::feed
