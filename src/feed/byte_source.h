// Byte streams the replay feed reads lines from: a plain file, a zstd-compressed file
// (decompressed as it is read with ZSTD_decompressStream, never whole), or a borrowed block of
// memory (tests, benchmarks). Sources are non-copyable, single-owner objects used by one thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace harrier::feed {

class ByteSource {
 public:
  ByteSource() = default;
  virtual ~ByteSource() = default;
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // Reads up to `cap` bytes into `buf`. Returns the count, 0 only at the end of the stream.
  // Returns kIo when the read fails and kInvalidInput when compressed data is corrupt or
  // truncated; the message names the source.
  virtual Result<std::size_t> read(char* buf, std::size_t cap) = 0;
};

// Opens `path` for streaming. A file that starts with the zstd frame magic (28 B5 2F FD) is
// decompressed as it is read, whatever its name; any other file is read as is.
// Returns kNotFound / kIo naming the path when it cannot be opened.
Result<std::unique_ptr<ByteSource>> open_file_source(const std::string& path);

// Reads `bytes`, which must outlive the source.
std::unique_ptr<ByteSource> memory_source(std::string_view bytes);

// Decompresses the zstd stream (one or more frames) read from `inner`. `name` is used in
// error messages. Returns kInvalidInput from read() on corrupt data, or when the input ends
// inside a frame (a truncated file).
std::unique_ptr<ByteSource> zstd_source(std::unique_ptr<ByteSource> inner, std::string name);

// True when `prefix` starts with the zstd frame magic number.
bool has_zstd_magic(std::string_view prefix);

}  // namespace harrier::feed
