// P3's watchdog over Redis (issue #5): every telemetry.watchdog_interval_ms it reads the
// broker's positions (paper:positions) and the engine's (position:{sym}), lets risk::Watchdog
// decide which mismatches to raise, and raises each once: a log line (rate-limited), the
// `alerts` counter and an XADD stream:alert (sym, kind rogue_position | size_mismatch, detail,
// ts_ns wall time). With telemetry.watchdog_flatten it also asks P2 to close the broker's
// position: XADD stream:exit_fire (reason watchdog_flatten, stop_price = the current quote on the
// exit side, trigger_ns = that quote's ts_ns); without a usable quote the flatten is not sent and
// the log says so. Thread: the telemetry loop thread only (it owns the Connection).
// With broker.kind = ib the broker's positions come from a BrokerPositionSource (TWS, P3's
// own client id; broker_positions.h).
#pragma once

#include <cstddef>

#include "bus/connection.h"
#include "core/clock.h"
#include "core/log.h"
#include "risk/watchdog.h"
#include "roles/common/metrics.h"
#include "roles/telemetry/broker_positions.h"

namespace harrier::roles::telemetry {

struct WatchdogMetrics {
  Counter* alerts;
  Counter* bad_inputs;
  Gauge* mismatches;  // mismatches open in the last check
};

class PositionWatchdog {
 public:
  // `conn`, the metric targets, `wall` and `source` must outlive the watchdog. `source` null:
  // the broker's positions are paper:positions on `conn`.
  PositionWatchdog(bus::Connection& conn, bool flatten, std::size_t stream_maxlen,
                   WatchdogMetrics metrics, const Clock& wall,
                   BrokerPositionSource* source = nullptr);
  // One check; errors are Redis errors (the check is retried at the next interval).
  Status check();

 private:
  Status raise(const risk::Mismatch& m);
  Status flatten(const risk::Mismatch& m);

  bus::Connection& conn_;
  bool flatten_;
  std::size_t maxlen_;
  WatchdogMetrics m_;
  const Clock& wall_;
  BrokerPositionSource* source_;
  risk::Watchdog watchdog_{2};
  log::LogEvery alert_log_{1 * kNsPerSec};
  log::LogEvery bad_log_{5 * kNsPerSec};
};

}  // namespace harrier::roles::telemetry
