#include "feed/byte_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace harrier::feed {
namespace {

// Owns one file descriptor (fmt os.h style): closes it on destruction.
class FileSource final : public ByteSource {
 public:
  FileSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileSource() override { ::close(fd_); }

  Result<std::size_t> read(char* buf, std::size_t cap) override {
    while (true) {
      ssize_t n = ::read(fd_, buf, cap);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;
      return io_error(path_ + ": read failed: " + std::strerror(errno));
    }
  }

 private:
  int fd_;
  std::string path_;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}

  Result<std::size_t> read(char* buf, std::size_t cap) override {
    std::size_t n = std::min(cap, bytes_.size() - pos_);
    std::memcpy(buf, bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

// Serves bytes already read from the front of a file (the magic-number peek), then the rest.
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::string prefix, std::unique_ptr<ByteSource> rest)
      : prefix_(std::move(prefix)), rest_(std::move(rest)) {}

  Result<std::size_t> read(char* buf, std::size_t cap) override {
    if (pos_ < prefix_.size()) {
      std::size_t n = std::min(cap, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    return rest_->read(buf, cap);
  }

 private:
  std::string prefix_;
  std::size_t pos_ = 0;
  std::unique_ptr<ByteSource> rest_;
};

}  // namespace

bool has_zstd_magic(std::string_view prefix) {
  return prefix.size() >= 4 && static_cast<unsigned char>(prefix[0]) == 0x28 &&
         static_cast<unsigned char>(prefix[1]) == 0xB5 &&
         static_cast<unsigned char>(prefix[2]) == 0x2F &&
         static_cast<unsigned char>(prefix[3]) == 0xFD;
}

Result<std::unique_ptr<ByteSource>> open_file_source(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = path + ": cannot open: " + std::strerror(err);
    return err == ENOENT ? not_found(std::move(msg)) : io_error(std::move(msg));
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::unique_ptr<ByteSource> file = std::make_unique<FileSource>(fd, path);

  // Peek at the first bytes to choose plain or zstd; a short file is simply plain.
  std::string head(4, '\0');
  std::size_t got = 0;
  while (got < head.size()) {
    HARRIER_ASSIGN_OR_RETURN(std::size_t n, file->read(head.data() + got, head.size() - got));
    if (n == 0) break;
    got += n;
  }
  head.resize(got);
  bool zstd = has_zstd_magic(head);
  auto source = std::make_unique<PrefixedSource>(std::move(head), std::move(file));
  if (zstd) return zstd_source(std::move(source), path);
  return std::unique_ptr<ByteSource>(std::move(source));
}

std::unique_ptr<ByteSource> memory_source(std::string_view bytes) {
  return std::make_unique<MemorySource>(bytes);
}

}  // namespace harrier::feed
