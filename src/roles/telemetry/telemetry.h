// P3, `harrier telemetry` (ARCHITECTURE §1, §4; issue #5): guards open positions with trailing
// stops, watches the broker's positions for ones nobody opened, and serves /metrics.
//
// Threads (named, so `top -H` tells them apart):
//   main       the loop; owns one Redis connection. Each turn: XREADGROUP stream:entry_fire
//              (group telemetry) with BLOCK 5 ms while a stop is open (the quote poll period:
//              P1 writes quote:{sym} at most every 10 ms) or 100 ms when none is, then one
//              pipelined quote poll of every open stop (StopMonitor). Every second: the
//              position:{sym} scan (positions opened and closed), the ATR refresh (mode atr), a
//              re-check of every stop, PING. Every telemetry.watchdog_interval_ms: the
//              watchdog (PositionWatchdog).
//   http       web::HttpServer: GET /metrics (Prometheus text from every role's heartbeat and the
//              streams, read on its own Redis connection per scrape) and GET /healthz.
//   heartbeat  roles/common: heartbeat:telemetry every second.
// Redis down: every call fails fast during the connection's backoff; the loop counts
// redis_errors, logs at a rate limit, and carries on; stops resume from stop:{sym}.
// Exit codes: 0 after SIGTERM, 1 when the HTTP port cannot be bound, 2 bad config.
#pragma once

#include <span>

#include "config/config.h"
#include "core/result.h"

namespace harrier::roles::telemetry {

int run(std::span<char*> args);

// P3's own config checks (telemetry.http, stops.*): kInvalidInput naming the key.
Status validate(const Config& cfg);

}  // namespace harrier::roles::telemetry
