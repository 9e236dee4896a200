// `harrier bench` in the command table (cli/commands.cc): flags, then roles::bench::run_bench.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "cli/args.h"
#include "cli/subcommands.h"
#include "core/futex.h"
#include "roles/bench/system_bench.h"

namespace harrier::cli {

int run_bench(std::span<char*> args) {
  using roles::bench::BenchOptions;
  BenchOptions o;
  std::string seconds;
  std::string help =
      "Measures the whole system end to end: a private redis-server (or --redis), the real roles "
      "as processes of this binary, the simulator (or --workload FILE at its recorded speed), "
      "and beside each figure its floor measured in the same run (PING, raw SET+GET and memcpy "
      "of a 120x45 Arrow frame's bytes, a seal-shaped MULTI/EXEC waking a blocked reader, a "
      "thread waking at deadlines as P1's feed does, at random and in the first 5 ms after "
      "each second, when bars end; beside the wake, P1's own seals landing in "
      "Redis). Prints the machine, a table per scenario and the issue #7 targets as met or "
      "missed.\n\nScenarios (default: all):";
  for (const roles::bench::ScenarioDef& d : roles::bench::scenarios()) {
    help += "\n  " + std::string(d.name) +
            std::string(16 - std::min<std::size_t>(d.name.size(), 15), ' ') + std::string(d.help);
  }
  ArgParser p(
      "harrier bench [SCENARIO...] [--json OUT] [--markdown OUT] [--plot PNG] "
      "[--workload FILE] [--redis URL] [--quick] [--seconds S] [--rt-priority N]",
      help);
  p.allow_positional("SCENARIO", &o.scenarios);
  p.add_string("json", "OUT", "write the results as JSON", &o.json_out);
  p.add_string("markdown", "OUT", "write the results as a Markdown report", &o.markdown_out);
  p.add_string("plot", "PNG", "plot feed lag and seal delay over the open burst (gnuplot)",
               &o.plot_out);
  p.add_string("workload", "FILE",
               "replay this canonical tick CSV at its recorded speed instead of the simulator",
               &o.workload);
  p.add_string("redis", "URL",
               "use this Redis (tcp://HOST:PORT or unix:PATH) instead of a private one; only "
               "session keys are deleted",
               &o.redis_url);
  p.add_flag("quick", "short sessions (seconds each; max_rate searches for 40 s)", &o.quick);
  p.add_string("seconds", "S", "session length of every scenario (max_rate: of each probe)",
               &seconds);
  std::string rt;
  p.add_string("rt-priority", "N",
               "run P1's feed and bar threads, and the bench's deadline floors, at SCHED_FIFO "
               "priority N (1-99; ingest.rt_priority, needs CAP_SYS_NICE); default: the normal "
               "scheduler",
               &rt);
  if (auto code = p.parse_or_exit(args)) return *code;
  if (!rt.empty()) {
    auto n = double_option("rt-priority", rt);
    if (!n) return 2;
    if (*n < 1 || *n > 99 || *n != static_cast<int>(*n)) {
      std::fprintf(stderr, "harrier bench: --rt-priority: must be an integer in 1..99 (got %s)\n",
                   rt.c_str());
      return 2;
    }
    o.rt_priority = static_cast<int>(*n);
    // P1 runs on without SCHED_FIFO when refused (it only warns); a run whose report would say
    // SCHED_FIFO without it is refused here instead. Tried on a thread of its own, so this one's
    // policy stays.
    int err = 0;
    std::thread([&] { err = set_sched_fifo(o.rt_priority); }).join();
    if (err != 0) {
      std::fprintf(stderr,
                   "harrier bench: --rt-priority %d: SCHED_FIFO refused: %s (needs CAP_SYS_NICE "
                   "or ulimit -r %d)\n",
                   o.rt_priority, std::strerror(err), o.rt_priority);
      return 2;
    }
  }
  if (!seconds.empty()) {
    auto s = double_option("seconds", seconds);
    if (!s) return 2;
    if (*s <= 0 || *s > 86400) {
      std::fprintf(stderr, "harrier bench: --seconds: must be in (0, 86400] (got %s)\n",
                   seconds.c_str());
      return 2;
    }
    o.seconds = *s;
  }
  o.command = "harrier";
  for (char* a : args) o.command += std::string(" ") + a;
  return roles::bench::run_bench(o);
}

}  // namespace harrier::cli
