// P3's wake-up read (issue #7): one XREADGROUP GROUP telemetry <consumer> COUNT n BLOCK ms
// STREAMS stream:entry_fire stream:quote > >, so the loop sleeps on both streams at once and a
// quote that crosses a stop wakes it, and QuoteStream, which turns the stream:quote entries of
// one reply into stop moves and exits.
//
// Order per reply (QuoteStream::handle): decode every entry, apply them in order to the stops
// (StopMonitor::apply_quote: several entries of one symbol all count, the newest wins for the
// stop's moves and the first crossing triggers), publish the exits (the Lua SET NX + XADD). THEN
// the entries are acknowledged and the moved stops and stops:guarded saved, in the loop's next
// read: stage() puts the XACK and the save ahead of the XREADGROUP in one write (one round trip
// a reply, not three: at 100 symbols P3 read ~3,700 times a second and took a quarter of a
// core, issue #7). The acknowledgement waits for the fire so that a P3 that dies in between finds
// the crossing quote pending at its restart; it is off the critical path. Bad entries are counted
// in bad_inputs, logged at a rate limit and acknowledged. Entries for a symbol without an unfired
// stop are acknowledged and ignored.
// Thread: the telemetry loop thread only (it owns the Connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/connection.h"
#include "bus/streams.h"
#include "core/clock.h"
#include "core/log.h"
#include "roles/common/metrics.h"
#include "roles/telemetry/stop_monitor.h"

namespace harrier::roles::telemetry {

// What one read returned, per stream, with the wall time of its reply.
struct LoopRead {
  std::vector<bus::StreamEntry> entry_fire;
  std::vector<bus::StreamEntry> quote;
  TimestampNs reply_wall_ns = 0;
};

// Creates the group `telemetry` on stream:entry_fire (from "0": entries published before P3's
// first start count) and on stream:quote (from "$": quotes published before the group existed
// belong to a past session and must not move today's stops), both with MKSTREAM. Idempotent.
Status ensure_loop_groups(bus::Connection& c);

// The two-stream XREADGROUP above. Empty vectors when the block timed out. `block_ms` > 0.
// Errors are the connection's; a reply of the wrong shape is kProtocol. The commands already in
// `batch` (QuoteStream::stage) go first in the same write; their replies are left in
// `replies` (fewer of them when the connection failed before the rest) and the XREADGROUP is
// appended to `batch`.
Result<LoopRead> read_loop_streams(bus::Connection& c, bus::CommandBatch& batch,
                                   std::vector<bus::Reply>& replies, std::string_view consumer,
                                   std::size_t count, std::int64_t block_ms, const Clock& wall);

// Parses an XREADGROUP reply over both streams (exposed for tests).
Result<LoopRead> parse_loop_read(const bus::Reply& r);

struct QuoteStreamMetrics {
  Counter* entries;     // stream:quote entries read
  Counter* ignored;     // entries for a symbol without an unfired stop
  Counter* bad_inputs;  // entries that did not decode
};

class QuoteStream {
 public:
  // `conn`, `stops`, the metrics' targets and `clock` must outlive this.
  QuoteStream(bus::Connection& conn, StopMonitor& stops, QuoteStreamMetrics m, const Clock& clock);

  // Handles the stream:quote entries of one reply read at wall time `reply_wall_ns` and fires
  // the stops they crossed. Returns the first Redis error. The ids are kept to be acknowledged
  // by the next stage() (or flush()) once no exit is due.
  Status handle(const std::vector<bus::StreamEntry>& entries, TimestampNs reply_wall_ns);
  // Appends to `batch` what handle() left to write: the XACK of the handled ids (none while an
  // exit is due) and the stops' save. finish() takes the batch's replies: what failed (or has
  // no reply) stays to be written again; returns the first failure.
  void stage(bus::CommandBatch& batch);
  Status finish(const bus::CommandBatch& batch, std::span<const bus::Reply> replies);
  // Writes what handle() left, now: the fires, the acknowledgements, the save (1 Hz, and when
  // the loop has no read to carry it).
  Status flush();
  // After the stop of `sym` opened (entry_fire at `entry_ts_ns`): applies the changes
  // stream:quote brought for `sym` before that stop existed that are not older than the fill;
  // the caller fires what it crossed (StopMonitor::fire_pending, once for a read's entries).
  // P1 publishes a symbol from its fill on, so the quote that crosses a stop in its first
  // moments is not lost to the order of the two streams.
  void catch_up(std::string_view sym, TimestampNs entry_ts_ns);

 private:
  bus::Connection& conn_;
  StopMonitor& stops_;
  QuoteStreamMetrics m_;
  const Clock& clock_;
  std::vector<std::string> unacked_;
  std::vector<std::string> acking_;  // staged: the XACK's ids, until finish()
  std::size_t ack_index_ = 0;        // the XACK's place in the staged batch
  // Per symbol without an open stop: the newest quote, the earlier changes in its path.
  std::map<std::string, bus::QuoteEvent, std::less<>> early_;
  static constexpr TimestampNs kEarlyWindowNs = 2 * kNsPerSec;
  static constexpr std::ptrdiff_t kEarlyMaxPath = 4096;
  static constexpr std::size_t kEarlyPrune = 2 * kEarlyMaxPath;  // prune at this many
  static void keep_recent(std::vector<bus::QuotePoint>& path, TimestampNs newest_ns);
  log::LogEvery bad_log_{5 * kNsPerSec};
};

}  // namespace harrier::roles::telemetry
