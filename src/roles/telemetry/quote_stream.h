// P3's wake-up read (issue #7): one XREADGROUP GROUP telemetry <consumer> COUNT n BLOCK ms
// STREAMS stream:entry_fire stream:quote > >, so the loop sleeps on both streams at once and a
// quote that crosses a stop wakes it, and QuoteStream, which turns the stream:quote entries of
// one reply into stop moves and exits.
//
// Order per reply (QuoteStream::handle): decode every entry, apply them in order to the stops
// (StopMonitor::apply_quote: several entries of one symbol all count, the newest wins for the
// stop's moves and the first crossing triggers), publish the exits (the Lua SET NX + XADD), THEN
// XACK the entries, then save the moved stops and stops:guarded. The acknowledgement waits for
// the fire so that a P3 that dies in between finds the crossing quote pending at its restart;
// it is off the critical path. Bad entries are counted in bad_inputs, logged at a rate limit and
// acknowledged. Entries for a symbol without an unfired stop are acknowledged and ignored.
// Thread: the telemetry loop thread only (it owns the Connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
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
// Errors are the connection's; a reply of the wrong shape is kProtocol.
Result<LoopRead> read_loop_streams(bus::Connection& c, std::string_view consumer, std::size_t count,
                                   std::int64_t block_ms, const Clock& wall);

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

  // Handles the stream:quote entries of one reply read at wall time `reply_wall_ns`. Returns
  // the first Redis error; the ids not acknowledged yet are kept and acknowledged after the next
  // successful fire (next call or flush()).
  Status handle(const std::vector<bus::StreamEntry>& entries, TimestampNs reply_wall_ns);
  // Retries what a failed handle() left: the fires, then the acknowledgements (1 Hz).
  Status flush();
  // After the stop of `sym` opened (entry_fire at `entry_ts_ns`): applies the newest quote
  // stream:quote brought for `sym` before that stop existed, if it is not older than the fill,
  // and fires what it crossed. P1 publishes a symbol from its fill on, so the quote that
  // crosses a stop in its first moments is not lost to the order of the two streams.
  Status catch_up(std::string_view sym, TimestampNs entry_ts_ns);

 private:
  bus::Connection& conn_;
  StopMonitor& stops_;
  QuoteStreamMetrics m_;
  const Clock& clock_;
  std::vector<std::string> unacked_;
  struct QuoteEvent : bus::QuoteEvent {
    TimestampNs read_wall_ns = 0;
  };
  std::map<std::string, QuoteEvent, std::less<>> early_;  // newest quote per unguarded symbol
  log::LogEvery bad_log_{5 * kNsPerSec};
};

}  // namespace harrier::roles::telemetry
