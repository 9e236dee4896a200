// Writes Arrow IPC streams: a schema message, record batch messages, the end-of-stream marker.
// Output is uncompressed, little-endian, metadata version V5, each body buffer at an 8-byte
// aligned offset and zero-padded to a multiple of 8, so any Arrow library reads it. Functions
// append to `out`. For a window of bars use bar_codec.h, which reuses its buffers.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "arrow/types.h"
#include "core/result.h"

namespace harrier::arrow {

void append_schema_message(const Schema& schema, std::vector<std::uint8_t>& out);
// Returns kInvalidInput when the batch does not fit the schema (column count, a column's length,
// a null count without a validity bitmap, missing offsets). Nothing is appended on error.
Status append_batch_message(const Schema& schema, const RecordBatch& batch,
                            std::vector<std::uint8_t>& out);
void append_end_of_stream(std::vector<std::uint8_t>& out);

// The whole table as one stream: schema, each batch in order, end-of-stream.
Status write_stream(const Table& table, std::vector<std::uint8_t>& out);

}  // namespace harrier::arrow
