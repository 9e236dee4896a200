#include "cli/subcommands.h"
#include "roles/ingest/ingest.h"

namespace harrier::cli {

int run_ingest(std::span<char*> args) { return roles::ingest::run(args); }

}  // namespace harrier::cli
