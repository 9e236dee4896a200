// How the manager reads a role's heartbeat:{role} (written by roles/common every
// heartbeat.interval_ms): the role is ready once the heartbeat carries the pid the manager
// started, and healthy while that heartbeat stays fresh (ts_ns no older than stale_after_ns).
// Pure functions; thread-safe.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/types.h"

namespace harrier::roles::manager {

enum class Beat {
  kFresh,     // this pid, ts_ns recent
  kMissing,   // no heartbeat key (not yet written, or expired)
  kOtherPid,  // a heartbeat from another process (the previous run of the role)
  kStale,     // this pid, but ts_ns older than stale_after_ns: hung
  kBad,       // not the JSON roles write
};
std::string_view beat_name(Beat b);

// Judges `json` (nullopt: no key) for the process `pid` at wall time `now_ns`.
Beat judge_beat(const std::optional<std::string>& json, pid_t pid, TimestampNs now_ns,
                DurationNs stale_after_ns);

// How old a heartbeat may be before its role counts as hung: five heartbeat intervals, and at
// least 2 s so a loaded machine does not restart healthy roles.
DurationNs stale_after_ns(const Config& cfg);

}  // namespace harrier::roles::manager
