// harrier: one binary, one subcommand per role or tool (STYLE B9). The table in cli/commands.cc
// drives both dispatch and `harrier --help` (ninja src/ninja.cc).
#include "cli/commands.h"

int main(int argc, char** argv) { return harrier::cli::dispatch(argc, argv); }
