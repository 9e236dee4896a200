// Internals shared by the reader, the writer and the bar codec: the encapsulated message framing
// and the conversions between flatbuffers metadata and the types of arrow/types.h. Only files in
// src/arrow/ include this (it pulls in the flatc-generated code).
//
// Encapsulated message (Arrow IPC, little-endian):
//   0xFFFFFFFF | int32 metadata_size | flatbuffer Message, zero-padded | body (body_length bytes)
// where 8 + metadata_size is a multiple of 8. End of stream: 0xFFFFFFFF 0x00000000. Streams
// written before Arrow 0.15 omit the 0xFFFFFFFF marker; the reader accepts both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "arrow/reader.h"
#include "arrow/types.h"
#include "arrow_format_generated.h"
#include "core/result.h"

namespace harrier::arrow::detail {

namespace fbs = harrier::arrow::fb;

inline constexpr std::uint32_t kContinuation = 0xFFFFFFFFu;
inline constexpr char kFileMagic[6] = {'A', 'R', 'R', 'O', 'W', '1'};

inline constexpr std::size_t pad8(std::size_t n) { return (n + 7) & ~std::size_t{7}; }

// One message found in the input. `message` is nullptr at the end of the stream (an EOS marker
// or the end of the input at a message boundary).
struct RawMessage {
  const fbs::Message* message = nullptr;
  std::span<const std::uint8_t> body;
  std::size_t offset = 0;  // where the message starts in the input
};

// Walks the encapsulated messages of `bytes` (borrowed) from `pos`. Every flatbuffer is checked by
// the flatbuffers verifier and every body by its length; metadata that is not 8-byte aligned in
// memory is copied into a scratch buffer first, so the message of one next() is valid until the
// following call.
class MessageReader {
 public:
  explicit MessageReader(std::span<const std::uint8_t> bytes, std::size_t pos = 0)
      : bytes_(bytes), pos_(pos) {}

  // Returns the next message, or an error naming the byte offset (truncated framing, a negative
  // or oversized length, metadata that fails verification, a body past the end of the input).
  Result<RawMessage> next();
  std::size_t position() const { return pos_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_;
  std::vector<std::uint64_t> scratch_;
};

// Returns `data` itself when its address is 8-byte aligned, otherwise a copy in `scratch`.
const std::uint8_t* aligned_copy(std::span<const std::uint8_t> data,
                                 std::vector<std::uint64_t>& scratch);

// Converts verified schema metadata. Unsupported types, dictionary encoding, nested children and
// big-endian data are kUnsupported errors naming the field and the type.
Result<Schema> schema_from_fb(const fbs::Schema* schema);
// The type of one field when Harrier decodes it (the caller names the field in errors).
Result<DataType> type_from_fb(const fbs::Field& field);
// The Arrow name of a flatbuffers type ("list", "decimal128", ...), for error messages.
std::string fb_type_name(const fbs::Field& field);

// Builds a RecordBatch over `body` (borrowed) for `schema`, checking node and buffer counts,
// every buffer's offset and length against the body, validity bitmaps and null counts, offsets
// of variable-width columns, and decompressing LZ4_FRAME / ZSTD bodies.
Result<RecordBatch> batch_from_fb(const Schema& schema, const fbs::RecordBatch* batch,
                                  std::span<const std::uint8_t> body, const ReadOptions& options);

// Decompresses one buffer of a compressed body (8-byte little-endian uncompressed length, then
// the compressed bytes; length -1 means the bytes follow uncompressed) into `dst`.
Status decompress_buffer(fbs::CompressionType codec, std::span<const std::uint8_t> src,
                         std::span<std::uint8_t> dst);
// The uncompressed length announced at the start of a compressed buffer, or an error.
Result<std::int64_t> uncompressed_length(std::span<const std::uint8_t> src);

// Serialises metadata with `builder` (cleared first); the result is builder.GetBufferSpan().
void build_schema_message(flatbuffers::FlatBufferBuilder& builder, const Schema& schema);
struct NodeSpec {
  std::int64_t length, null_count;
};
struct BufferSpec {
  std::int64_t offset, length;
};
void build_batch_message(flatbuffers::FlatBufferBuilder& builder, std::int64_t length,
                         std::span<const fbs::FieldNode> nodes,
                         std::span<const fbs::Buffer> buffers, std::int64_t body_length);

// Size of the framed form of a flatbuffer of `fb_size` bytes (marker, length, padding).
inline std::size_t framed_size(std::size_t fb_size) { return 8 + pad8(fb_size); }
// Writes the framed message metadata at `dst` (framed_size(fb.size()) bytes, padding zeroed)
// and returns the end.
std::uint8_t* write_framed(std::uint8_t* dst, std::span<const std::uint8_t> fb);

}  // namespace harrier::arrow::detail
