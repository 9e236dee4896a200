// P2, `harrier execute` (ARCHITECTURE §1, §4; issue #5): consumes stream:new_bar and
// stream:exit_fire in group "execute", evaluates the strategy on the trigger interval's sealed
// bars, and sends orders through the broker (engine.h has the loop and its guarantees).
//
// Threads: "main" (the Engine: Redis connection, strategy, broker) and "heartbeat"
// (roles/common). Exit codes: 0 after SIGTERM, 1 on a runtime failure, 2 on a bad config value
// (the message names the key: strategy.*, broker.*).
#pragma once

#include <span>

#include "config/config.h"
#include "core/result.h"

namespace harrier::roles::execute {

int run(std::span<char*> args);

// The checks `harrier execute` adds to the config load: the strategy must exist and accept its
// parameters, and the broker kind must be one P2 can run. kInvalidInput naming the key.
Status validate_config(const Config& cfg);

}  // namespace harrier::roles::execute
