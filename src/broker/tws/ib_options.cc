#include "broker/tws/ib_options.h"

namespace harrier::tws {

Result<ConnectionOptions> connection_options(const Config::Ib& ib, IbRole role) {
  ConnectionOptions o;
  o.host = ib.host;
  o.port = static_cast<int>(ib.port);
  switch (role) {
    case IbRole::kIngest:
      o.client_id = static_cast<std::int32_t>(ib.client_id_ingest);
      break;
    case IbRole::kExecute:
      o.client_id = static_cast<std::int32_t>(ib.client_id_execute);
      break;
    case IbRole::kTelemetry:
      o.client_id = static_cast<std::int32_t>(ib.client_id_telemetry);
      break;
  }
  o.account = ib.account;
  o.pacing_per_s = ib.pacing_per_s;
  o.reconnect_max_ns = ib.reconnect_max_ms * kNsPerMs;
  o.watchdog_ns = ib.watchdog_ms * kNsPerMs;
  if (auto st = parse_restart_window(ib.restart_window, o.restart_window_start_min,
                                     o.restart_window_len_min);
      !st) {
    return std::move(st).error().with_context("config: key 'ib.restart_window'");
  }
  // Seed the jitter per client id, so the three roles do not retry in step.
  o.seed = 0x1b5eed ^ static_cast<std::uint64_t>(o.client_id);
  return o;
}

}  // namespace harrier::tws
