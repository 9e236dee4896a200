// `harrier sim`: writes a simulated session (feed::SimFeed, model in docs/replay-formats.md) as
// the canonical tick CSV, so `harrier bench --workload FILE`, `harrier replay` and other
// implementations can all run on exactly the same input. The options and defaults follow the
// shared gen_ticks.py; the same options give the same bytes on every run and machine (not
// gen_ticks.py's bytes: the random generators differ). A summary line goes to stderr.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/subcommands.h"
#include "core/clock.h"
#include "feed/replay_format.h"
#include "feed/sim_feed.h"
#include "feed/time_spec.h"

namespace harrier::cli {
namespace {

struct SimFlags {
  std::string symbols = "1";
  std::string seconds = "60";
  std::string rate = "2000";
  bool open_burst = false;
  std::string seed = "1";
  std::string start = "2024-03-04T09:30:00-05:00";
  std::string trade_frac = "0.3";
  std::string skew = "0";
  std::string out = "-";
};

// Turns the flag texts into SimOptions; prints the error naming the flag and returns nullopt.
std::optional<feed::SimOptions> to_options(const SimFlags& f) {
  feed::SimOptions o;
  auto symbols = int_option("symbols", f.symbols);
  auto seed = int_option("seed", f.seed);
  auto seconds = double_option("seconds", f.seconds);
  auto rate = double_option("rate", f.rate);
  auto trade_frac = double_option("trade-frac", f.trade_frac);
  auto skew = double_option("skew", f.skew);
  if (!symbols || !seed || !seconds || !rate || !trade_frac || !skew) return std::nullopt;
  if (*symbols < 1 || *symbols > feed::kMaxSimSymbols) {
    std::fprintf(stderr, "harrier sim: --symbols: must be 1 to %u (got %s)\n", feed::kMaxSimSymbols,
                 f.symbols.c_str());
    return std::nullopt;
  }
  if (*seed < 0) {
    std::fprintf(stderr, "harrier sim: --seed: must be >= 0 (got %s)\n", f.seed.c_str());
    return std::nullopt;
  }
  if (f.start == "now") {
    o.start_ns = SystemClock::instance().now_ns();
  } else {
    auto start = feed::parse_time_spec(f.start);
    if (!start) {
      std::fprintf(stderr, "harrier sim: --start: %s\n", start.error().message().c_str());
      return std::nullopt;
    }
    o.start_ns = *start;
  }
  o.symbols = static_cast<std::uint32_t>(*symbols);
  o.seed = static_cast<std::uint64_t>(*seed);
  o.seconds = *seconds;
  o.rate = *rate;
  o.trade_frac = *trade_frac;
  o.skew = *skew;
  o.open_burst = f.open_burst;
  if (Status st = feed::validate_sim_options(o); !st) {
    std::fprintf(stderr, "harrier sim: %s\n", st.error().message().c_str());
    return std::nullopt;
  }
  return o;
}

}  // namespace

int run_sim(std::span<char*> args) {
  SimFlags f;
  ArgParser p(
      "harrier sim [--symbols N] [--seconds S] [--rate R] [--open-burst] [--seed K] "
      "[--start T] [--trade-frac F] [--skew Z] [--out FILE]",
      "Writes a simulated market session (Poisson trades and quotes, integer-cent "
      "quotes) as the canonical tick CSV that `harrier replay --replay FILE` reads. "
      "The same options give the same bytes every time.");
  p.add_string("symbols", "N", "number of symbols: SPY, QQQ, SYM003, ... (default 1)", &f.symbols);
  p.add_string("seconds", "S", "session length in s, 0 for endless (default 60)", &f.seconds);
  p.add_string("rate", "R", "mean events/s across all symbols, outside the burst (default 2000)",
               &f.rate);
  p.add_flag("open-burst", "the first 10% of the session starts at 5x R, falling linearly to R",
             &f.open_burst);
  p.add_string("seed", "K", "random seed, >= 0 (default 1)", &f.seed);
  p.add_string("start", "T",
               "session start: ISO-8601 with a zone, ns since the epoch, or now "
               "(default 2024-03-04T09:30:00-05:00)",
               &f.start);
  p.add_string("trade-frac", "F", "share of events that are trades, 0 to 1 (default 0.3)",
               &f.trade_frac);
  p.add_string("skew", "Z", "symbol i is picked with weight 1/(i+1)^Z (default 0: equal)", &f.skew);
  p.add_string("out", "FILE", "output path (default - : stdout)", &f.out);
  if (auto code = p.parse_or_exit(args)) return *code;
  auto options = to_options(f);
  if (!options) return kExitUsage;
  auto feed = feed::SimFeed::open(*options);
  if (!feed) {
    std::fprintf(stderr, "harrier sim: %s\n", feed.error().message().c_str());
    return kExitUsage;
  }

  std::FILE* out = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  if (f.out != "-") {
    file.reset(std::fopen(f.out.c_str(), "wb"));
    if (!file) {
      std::perror(("harrier sim: " + f.out).c_str());
      return kExitFailure;
    }
    out = file.get();
  }
  std::string buf(feed::format_header(feed::Format::kCanonical));
  buf += '\n';
  bool write_ok = true;
  auto flush = [&] {
    write_ok = write_ok && std::fwrite(buf.data(), 1, buf.size(), out) == buf.size();
    buf.clear();
  };
  const SymbolTable& names = (*feed)->symbols();
  Tick tick;
  while (write_ok) {
    auto more = (*feed)->next(tick);
    if (!more || !*more) break;  // the simulator never fails
    feed::append_canonical_row(buf, tick, names.name(tick.symbol));
    if (buf.size() >= (1u << 20)) flush();
  }
  flush();
  write_ok = write_ok && std::fflush(out) == 0;
  if (file) write_ok = std::fclose(file.release()) == 0 && write_ok;
  if (!write_ok) {
    std::fprintf(stderr, "harrier sim: write to %s failed\n",
                 f.out == "-" ? "stdout" : f.out.c_str());
    return kExitFailure;
  }
  const std::uint64_t n = (*feed)->stats().ticks;
  const double secs = options->seconds > 0 ? options->seconds : (*feed)->elapsed_s();
  std::fprintf(stderr, "harrier sim: %llu events, %u symbols, %.1f s, %.1f events/s mean\n",
               static_cast<unsigned long long>(n), options->symbols, secs,
               secs > 0 ? static_cast<double>(n) / secs : 0.0);
  return kExitOk;
}

}  // namespace harrier::cli
