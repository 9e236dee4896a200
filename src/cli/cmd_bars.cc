#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/subcommands.h"

namespace harrier::cli {

int run_bars(std::span<char*>) {
  std::fprintf(stderr, "harrier bars: not built yet\n");
  return kExitFailure;
}
int run_replay(std::span<char*>) {
  std::fprintf(stderr, "harrier replay: not built yet\n");
  return kExitFailure;
}

}  // namespace harrier::cli
