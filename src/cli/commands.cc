#include "cli/commands.h"

#include <array>
#include <cstdio>
#include <cstring>

#include "cli/subcommands.h"

namespace harrier::cli {
namespace {

int run_help(std::span<char*> args);
int run_version(std::span<char*>) {
  std::printf("harrier %s\n", HARRIER_VERSION);
  return kExitOk;
}

constexpr std::array kCommands = {
    Command{"bars", "replay a tick file through the bar engine and print enriched bars", run_bars},
    Command{"replay", "replay a tick file through the bar engine with a live summary (the demo)",
            run_replay},
    Command{"arrow", "print an Arrow IPC stream or file as CSV (cat) or its schema (schema)",
            run_arrow},
    Command{"ingest", "P1: ticks in, sealed and enriched bars out to Redis", run_ingest},
    Command{"execute", "P2: evaluate the strategy on sealed bars and send orders (paper broker)",
            run_execute},
    Command{"telemetry", "P3: trailing stops, rogue-position watchdog and /metrics over HTTP",
            run_telemetry},
    Command{"status", "print each role, Redis latency and the streams, from Redis alone",
            run_status},
    Command{"sim", "write a simulated market session as canonical tick CSV", run_sim},
    Command{"up", "the manager: run P1, P2, P3 (and a private Redis), restart, tear down", run_up},
    Command{"config", "print the example harrier.toml (--example) or check a config", run_config},
    Command{"bench", "measure the system end to end beside Redis and memcpy floors (#7)",
            run_bench},
    Command{"version", "print the version", run_version},
    Command{"help", "show this help, or `harrier help COMMAND` for a command's own", run_help},
};

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: harrier COMMAND [ARGS...]\n\n"
               "Harrier: a real-time trading engine. Commands:\n");
  for (const Command& c : kCommands) {
    std::fprintf(out, "  %-10.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.help.size()), c.help.data());
  }
  std::fprintf(out, "\n`harrier COMMAND --help` shows a command's options.\n");
}

const Command* find(std::string_view name) {
  for (const Command& c : kCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

int run_help(std::span<char*> args) {
  if (args.size() >= 2) {
    if (const Command* c = find(args[1])) {
      char help_flag[] = "--help";
      char* argv2[] = {args[1], help_flag};
      return c->run(std::span<char*>(argv2, 2));
    }
    std::fprintf(stderr, "harrier: unknown command '%s'\n", args[1]);
    return kExitUsage;
  }
  print_usage(stdout);
  return kExitOk;
}

}  // namespace

std::span<const Command> commands() { return kCommands; }

int dispatch(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return kExitUsage;
  }
  std::string_view name = argv[1];
  if (name == "--help" || name == "-h") {
    print_usage(stdout);
    return kExitOk;
  }
  if (name == "--version") name = "version";
  const Command* c = find(name);
  if (c == nullptr) {
    std::fprintf(stderr, "harrier: unknown command '%s' (see `harrier --help`)\n", argv[1]);
    return kExitUsage;
  }
  return c->run(std::span<char*>(argv + 1, static_cast<std::size_t>(argc - 1)));
}

}  // namespace harrier::cli
