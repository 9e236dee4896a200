#include "roles/manager/health.h"

#include <algorithm>

#include "roles/common/json.h"

namespace harrier::roles::manager {

std::string_view beat_name(Beat b) {
  switch (b) {
    case Beat::kFresh:
      return "fresh";
    case Beat::kMissing:
      return "no heartbeat";
    case Beat::kOtherPid:
      return "heartbeat of another pid";
    case Beat::kStale:
      return "heartbeat stale";
    case Beat::kBad:
      return "heartbeat unreadable";
  }
  return "?";
}

Beat judge_beat(const std::optional<std::string>& json, pid_t pid, TimestampNs now_ns,
                DurationNs stale_after_ns) {
  if (!json) return Beat::kMissing;
  auto v = json::parse(*json);
  if (!v || v->kind != json::Value::Kind::kObject) return Beat::kBad;
  const auto beat_pid = v->number_at("pid");
  const auto ts = v->number_at("ts_ns");
  if (!beat_pid || !ts) return Beat::kBad;
  if (*beat_pid != static_cast<double>(pid)) return Beat::kOtherPid;
  // ts_ns goes through a double (JSON number): exact to about 0.25 us at today's epoch.
  if (static_cast<double>(now_ns) - *ts > static_cast<double>(stale_after_ns)) return Beat::kStale;
  return Beat::kFresh;
}

DurationNs stale_after_ns(const Config& cfg) {
  return std::max<DurationNs>(5 * cfg.heartbeat.interval_ms, 2000) * kNsPerMs;
}

}  // namespace harrier::roles::manager
