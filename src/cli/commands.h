// The subcommand table. Each command is a function taking its own arguments (argv[0] is the
// command name) and returning the process exit code: 0 clean, 1 runtime failure, 2 usage or
// config error (STYLE B9).
#pragma once

#include <span>
#include <string_view>

namespace harrier::cli {

using CommandFn = int (*)(std::span<char*> args);

struct Command {
  std::string_view name;
  std::string_view help;  // one line, shown by `harrier --help`
  CommandFn run;
};

std::span<const Command> commands();
int dispatch(int argc, char** argv);

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

}  // namespace harrier::cli
