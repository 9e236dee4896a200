// P1, `harrier ingest` (ARCHITECTURE §1, §4): ticks in, sealed and enriched bars out to Redis.
//
// Threads (named, so `top -H` tells them apart):
//   feed  decodes the source (replay file or simulator), paces it, and pushes Ticks into a
//         bounded SPSC queue. A paced (live-like) feed never blocks: a full queue drops the
//         tick and counts it. An unpaced replay waits for room instead (nothing is lost).
//   bars  owns the BarEngine (six sealers + enricher) and the SealSink: seals against the
//         market clock, encodes windows as Arrow, coalesces quotes, submits to the IO worker.
//   io    the bus::IoWorker: one Redis connection, each seal one MULTI/EXEC in a pipeline,
//         in order, with a bounded backlog while Redis is down.
//   heartbeat (roles/common) writes heartbeat:ingest every second.
// On SIGTERM the feed stops, the bar thread drains what is queued, and the IO worker gets
// manager.stop_grace_ms to flush before the process exits 0.
#pragma once

#include <span>

#include "core/types.h"

namespace harrier::roles::ingest {

// How long before a paced tick is due the feed thread stops sleeping and spins, and the idle
// bar thread stays awake for it: above the sleep overshoot's p99 on the target machine (issue
// #7's 2-core VM: p50 22 us, p99 55 us late for a 200 us sleep with 1 ns timer slack).
// `harrier bench`'s deadline floor waits the same way.
inline constexpr DurationNs kSpinMargin = 60 * kNsPerUs;

int run(std::span<char*> args);

}  // namespace harrier::roles::ingest
