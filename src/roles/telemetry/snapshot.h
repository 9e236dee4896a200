// One read of what the whole system says about itself, from Redis alone: the heartbeats of the
// roles (heartbeat:{role} JSON, written by roles/common), the length of the five streams and the
// pending count of each consumer group, and the PING round trip of the reading connection.
// /metrics (prometheus.h) and `harrier status` (status.h) both render it.
// Runs on the caller's Connection and thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/connection.h"
#include "core/types.h"

namespace harrier::roles::telemetry {

// Roles whose heartbeats are read; the manager's only shows when it exists.
inline constexpr std::array<std::string_view, 4> kRoles = {"ingest", "execute", "telemetry",
                                                           "manager"};

struct GroupStats {
  std::string name;
  std::int64_t pending = 0;  // entries delivered and not acknowledged (the XPENDING count)
  std::int64_t consumers = 0;
};

struct StreamStats {
  std::string name;  // "stream:new_bar"
  std::int64_t length = 0;
  std::vector<GroupStats> groups;
};

struct RoleBeat {
  std::string role;
  std::optional<std::string> json;  // nullopt: no heartbeat (never started, or expired)
};

struct BusSnapshot {
  bool redis_up = false;
  std::string redis_error;  // why not, when !redis_up
  double ping_us = kNaN;
  std::vector<RoleBeat> roles;
  std::vector<StreamStats> streams;
};

// PING, then one pipeline: GET heartbeat:{role} per role, XLEN and XINFO GROUPS per stream.
// Never fails: an unreachable Redis gives redis_up = false and the error text.
BusSnapshot collect_snapshot(bus::Connection& c);

// Groups of an XINFO GROUPS reply (RESP2: per group a flat name/value array). kProtocol for
// another shape.
Result<std::vector<GroupStats>> parse_xinfo_groups(const bus::ReplyView& r);

}  // namespace harrier::roles::telemetry
