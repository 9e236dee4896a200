// Redis streams with consumer groups (ARCHITECTURE §2): publish with XADD MAXLEN ~, groups
// created idempotently with MKSTREAM, XREADGROUP BLOCK, XACK after the work, and on start-up the
// recovery of what this consumer left pending plus what dead consumers left idle (XAUTOCLAIM).
// Delivery is at-least-once. All calls run on the caller's Connection and thread; a consumer
// owns its connection (XREADGROUP BLOCK holds it). Errors are those of Connection; a reply of
// the wrong shape is kProtocol naming the stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/connection.h"
#include "bus/events.h"
#include "bus/keys.h"

namespace harrier::bus {

inline constexpr std::size_t kDefaultStreamMaxLen = 100'000;

struct StreamEntry {
  std::string id;  // "1700000000000-0"
  Fields fields;
  bool deleted = false;  // pending entry whose content was trimmed away (no fields)
};

// XADD stream MAXLEN ~ maxlen * f1 v1 ...; returns the new entry id. REQUIRES: !fields.empty().
Result<std::string> xadd(Connection& c, std::string_view stream, const Fields& fields,
                         std::size_t maxlen = kDefaultStreamMaxLen);

template <typename E>
Result<std::string> publish(Connection& c, const E& event,
                            std::size_t maxlen = kDefaultStreamMaxLen) {
  return xadd(c, keys::stream_name(E::kStream), encode(event), maxlen);
}

// XGROUP CREATE stream group start_id MKSTREAM; ok when the group exists already (BUSYGROUP).
// start_id "0" delivers what the stream already holds to a new group, "$" only new entries.
Status ensure_group(Connection& c, std::string_view stream, std::string_view group,
                    std::string_view start_id = "0");

// XREADGROUP GROUP group consumer COUNT count BLOCK block_ms STREAMS stream >.
// Returns no entries when the block timed out. block_ms 0 means do not block (no BLOCK).
Result<std::vector<StreamEntry>> read_group(Connection& c, std::string_view stream,
                                            std::string_view group, std::string_view consumer,
                                            std::size_t count, std::int64_t block_ms);

// This consumer's own pending entries (XREADGROUP ... STREAMS stream <after_id>), oldest first.
Result<std::vector<StreamEntry>> read_own_pending(Connection& c, std::string_view stream,
                                                  std::string_view group, std::string_view consumer,
                                                  std::size_t count,
                                                  std::string_view after_id = "0");

// XACK; returns how many were acknowledged.
Result<std::int64_t> ack(Connection& c, std::string_view stream, std::string_view group,
                         std::span<const std::string> ids);

// XAUTOCLAIM stream group consumer min_idle_ms cursor COUNT count, repeated until the cursor
// returns to 0-0 or `max_entries` were claimed: entries of any consumer idle at least
// min_idle_ms become this consumer's.
Result<std::vector<StreamEntry>> autoclaim(Connection& c, std::string_view stream,
                                           std::string_view group, std::string_view consumer,
                                           std::int64_t min_idle_ms,
                                           std::size_t max_entries = 10'000);

// Start-up recovery: this consumer's own pending entries, then those idle at least
// min_idle_ms from other (dead) consumers. Deleted entries are acknowledged and left out.
Result<std::vector<StreamEntry>> recover_pending(Connection& c, std::string_view stream,
                                                 std::string_view group, std::string_view consumer,
                                                 std::int64_t min_idle_ms);

// Parses the entry array [[id, [f, v, ...]], ...] of XRANGE / XREADGROUP / XAUTOCLAIM.
Result<std::vector<StreamEntry>> parse_entries(const ReplyView& r);

}  // namespace harrier::bus
