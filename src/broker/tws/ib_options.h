// ConnectionOptions from the [ib] configuration (config/config.h) for one role: each role has
// its own client id (P1 ingest 18, P2 execute 20, P3 telemetry 21 by default). Pure function.
#pragma once

#include <string_view>

#include "broker/tws/connection.h"
#include "config/config.h"
#include "core/result.h"

namespace harrier::tws {

enum class IbRole : std::uint8_t { kIngest, kExecute, kTelemetry };

// kInvalidInput naming ib.restart_window when it does not parse (load_config checks it first).
Result<ConnectionOptions> connection_options(const Config::Ib& ib, IbRole role);

}  // namespace harrier::tws
