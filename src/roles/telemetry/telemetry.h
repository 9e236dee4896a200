// P3, `harrier telemetry` (ARCHITECTURE §1, §4; issues #5, #7): guards open positions with trailing
// stops, watches the broker's positions for ones nobody opened, and serves /metrics.
//
// Threads (named, so `top -H` tells them apart):
//   main       the loop; owns one Redis connection. Each turn: one XREADGROUP (group telemetry)
//              over stream:entry_fire and stream:quote with BLOCK 100 ms, so a quote that
//              crosses a stop wakes it (issue #7; P1 publishes every quote change of the
//              symbols in stops:guarded). The quote entries are applied to the stops first,
//              fired, then acknowledged (QuoteStream); then the entry_fire entries. While a
//              stop is unfired, the quote:{sym} poll: every 250 ms once stream:quote has
//              delivered a quote (a fallback for the first 50 ms of a stop), else every turn
//              with BLOCK 5 (a P1 that does not publish stream:quote: the polling of before
//              issue #7). Every second: the position:{sym} scan (positions opened and closed),
//              the ATR refresh (mode atr), a re-check of every stop, the SADD of stops:guarded,
//              PING. Every telemetry.watchdog_interval_ms: the watchdog (PositionWatchdog).
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
