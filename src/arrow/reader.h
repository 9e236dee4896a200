// Reads Arrow IPC bytes (the streaming format and the file format) into a Table.
// The input is borrowed: the Table's columns point into it wherever a buffer is aligned for its
// type and not compressed, so `bytes` must outlive the Table. Every message is checked by the
// flatbuffers verifier and every buffer's offset and length against the input before use; bad
// input is an Error (kInvalidInput for malformed bytes, kUnsupported for valid Arrow that Harrier
// does not decode, naming the field and type), never a crash or a read outside the input.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "arrow/types.h"
#include "core/result.h"

namespace harrier::arrow {

struct ReadOptions {
  // When true, a buffer whose offset in the body is not a multiple of 8, or whose address is not
  // aligned for its type, is an error; when false (the default) it is copied.
  bool require_aligned = false;
  // Upper bound on the bytes one record batch may decompress to (LZ4_FRAME / ZSTD bodies).
  std::size_t max_decompressed_bytes = std::size_t{256} << 20;
};

// The streaming format: a schema message, record batches, an optional end-of-stream marker.
Result<Table> read_stream(std::span<const std::uint8_t> bytes, const ReadOptions& options = {});
// The file format: "ARROW1", padding, the stream, a footer, its int32 length, "ARROW1".
Result<Table> read_file(std::span<const std::uint8_t> bytes, const ReadOptions& options = {});
// Either format, told apart by the leading "ARROW1" magic.
Result<Table> read_ipc(std::span<const std::uint8_t> bytes, const ReadOptions& options = {});

bool has_file_magic(std::span<const std::uint8_t> bytes);

}  // namespace harrier::arrow
