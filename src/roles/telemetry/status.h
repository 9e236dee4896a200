// `harrier status`: prints, from Redis alone, the state of a running system (after the paper's
// status block): each role (ingest, execute, telemetry, and the manager when heartbeat:manager
// exists) with state, pid, CPUs, uptime, restarts, RSS and its counters and latency
// histograms; the Redis PING round trip; each stream's length and pending count per group.
// Exit codes: 0 printed, 1 Redis unreachable (the message names the URL), 2 usage or config
// error.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "roles/telemetry/snapshot.h"

namespace harrier::roles::telemetry {

// The block for `snap` (pure, for tests). `redis_url` is shown in the first line.
std::string format_status(const BusSnapshot& snap, std::string_view redis_url);

int status(std::span<char*> args);

}  // namespace harrier::roles::telemetry
