// The `harrier telemetry` and `harrier status` entries of the command table (cli/commands.cc).
#include "cli/subcommands.h"
#include "roles/telemetry/status.h"
#include "roles/telemetry/telemetry.h"

namespace harrier::cli {

int run_telemetry(std::span<char*> args) { return roles::telemetry::run(args); }
int run_status(std::span<char*> args) { return roles::telemetry::status(args); }

}  // namespace harrier::cli
