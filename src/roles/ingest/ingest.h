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

namespace harrier::roles::ingest {

int run(std::span<char*> args);

}  // namespace harrier::roles::ingest
