// The `harrier up` and `harrier config` entries of the command table (cli/commands.cc).
#include "cli/subcommands.h"
#include "roles/manager/manager.h"

namespace harrier::cli {

int run_up(std::span<char*> args) { return roles::manager::run(args); }
int run_config(std::span<char*> args) { return roles::manager::config_command(args); }

}  // namespace harrier::cli
