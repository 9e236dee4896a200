// Entry points of the subcommands listed in cli/commands.cc. Each takes its own argv
// (args[0] is the command name) and returns the exit code.
#pragma once

#include <span>

namespace harrier::cli {

int run_bars(std::span<char*> args);     // cli/cmd_bars.cc
int run_arrow(std::span<char*> args);    // cli/cmd_arrow.cc
int run_replay(std::span<char*> args);   // cli/cmd_replay.cc
int run_ingest(std::span<char*> args);   // cli/cmd_ingest.cc
int run_execute(std::span<char*> args);  // roles/execute/execute.cc

int run_telemetry(std::span<char*> args);  // roles/telemetry/cli_entry.cc
int run_status(std::span<char*> args);     // roles/telemetry/cli_entry.cc
int run_sim(std::span<char*> args);        // cli/cmd_sim.cc

int run_up(std::span<char*> args);      // roles/manager/cli_entry.cc
int run_config(std::span<char*> args);  // roles/manager/cli_entry.cc

int run_bench(std::span<char*> args);  // roles/bench/cli_entry.cc

}  // namespace harrier::cli
