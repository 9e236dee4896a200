// /metrics: a BusSnapshot in the Prometheus text exposition format (version 0.0.4). Every
// metric name starts with harrier_; the role is a label. From each role's heartbeat:
//   harrier_up{role}                 1 when heartbeat:{role} exists and says running, else 0
//   harrier_uptime_seconds{role}, harrier_restarts{role}, harrier_rss_bytes{role}
//   harrier_role_info{role,pid,cpus,state} 1
//   harrier_<counter>_total{role}    each counter            (TYPE counter)
//   harrier_<gauge>{role}            each gauge              (TYPE gauge)
//   harrier_<hist>{role,quantile="0.5"|"0.99"}, harrier_<hist>_sum, harrier_<hist>_count
//                                    each histogram, in microseconds (TYPE summary), and
//   harrier_<hist>_max{role}         its maximum (TYPE gauge)
// From Redis: harrier_redis_up, harrier_redis_ping_us (P3's own connection),
//   harrier_stream_length{stream}, harrier_stream_pending{stream,group},
//   harrier_stream_consumers{stream,group}.
// Names from heartbeats are sanitised to [a-zA-Z0-9_]; a heartbeat that does not parse counts as
// down and is named in a comment. Pure function; thread-safe.
#pragma once

#include <string>

#include "roles/telemetry/snapshot.h"

namespace harrier::roles::telemetry {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

std::string render_prometheus(const BusSnapshot& snap);

// "wake_us" -> "wake_us"; anything outside [a-zA-Z0-9_] becomes '_' (and a leading digit gets a
// '_' in front), so a heartbeat can never break the exposition format.
std::string sanitize_metric_name(std::string_view name);

}  // namespace harrier::roles::telemetry
