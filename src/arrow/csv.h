// Text forms of Arrow data, for `harrier arrow cat` and `harrier arrow schema`.
// CSV: a header row of field names, then one line per row, fields quoted per RFC 4180 only where
// needed. A null is an empty field and an empty string is `""`, so the two stay distinct. Floats
// use the shortest form that reads back to the same value; integers, dates, times, timestamps and
// durations print the stored integer in the type's unit (ns since the UTC epoch for
// timestamp[ns]); bools print true/false; binary prints lowercase hex.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "arrow/types.h"

namespace harrier::arrow {

void append_csv_header(const Schema& schema, std::string& out);
// REQUIRES: batch was read (or built) for `schema`.
void append_csv_rows(const Schema& schema, const RecordBatch& batch, std::string& out);

// One line per field ("ts: timestamp[ns, tz=UTC] not null"), its metadata indented below, then
// the schema metadata.
std::string describe_schema(const Schema& schema);

}  // namespace harrier::arrow
