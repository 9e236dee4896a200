// `harrier bars`: the offline path. Replays tick files as fast as possible through the same
// BarEngine P1 runs (the replay clock is the tick's own time, so sealing is deterministic) and
// writes the enriched bars as CSV.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/args.h"
#include "cli/bar_options.h"
#include "cli/commands.h"
#include "cli/subcommands.h"
#include "core/log.h"
#include "indicators/bar_engine.h"
#include "market/bar_csv.h"

namespace harrier::cli {
namespace {

// Writes the selected bars as CSV to a FILE*, flushing in large chunks.
class CsvSink final : public BarSink {
 public:
  CsvSink(std::FILE* out, const SymbolTable& symbols, std::vector<Interval> intervals)
      : out_(out), symbols_(symbols), intervals_(std::move(intervals)) {
    append_bar_csv_header(buf_);
  }
  ~CsvSink() override { flush(); }
  void on_bar(SealedBar& s) override {
    if (!wanted(s.interval)) return;
    append_bar_csv_row(buf_, symbols_.name(s.symbol), s.interval, s.bar);
    ++rows_;
    if (buf_.size() > (1 << 20)) flush();
  }
  bool flush() {
    bool ok = std::fwrite(buf_.data(), 1, buf_.size(), out_) == buf_.size();
    buf_.clear();
    return ok && std::fflush(out_) == 0;
  }
  std::uint64_t rows() const { return rows_; }

 private:
  bool wanted(Interval iv) const {
    if (intervals_.empty()) return true;
    for (Interval w : intervals_) {
      if (w == iv) return true;
    }
    return false;
  }
  std::FILE* out_;
  const SymbolTable& symbols_;
  std::vector<Interval> intervals_;
  std::string buf_;
  std::uint64_t rows_ = 0;
};

}  // namespace

int run_bars(std::span<char*> args) {
  BarRunFlags flags;
  std::vector<std::string> interval_texts;
  bool csv = false;
  std::string format = "csv";
  std::string out_path;
  ArgParser p(
      "harrier bars --replay FILE [--symbol SYM] [--interval IV] [--from T] [--to T] "
      "[--csv] [--out FILE]",
      "Replays tick files as fast as possible through the bar engine (the same one P1 "
      "runs) and prints the enriched bars of ARCHITECTURE §3, oldest first per symbol "
      "and interval. Bad input lines are counted, reported on stderr and skipped.");
  flags.register_on(p);
  p.add_list("interval", "IV", "only bars of this interval: 1s 5s 15s 30s 1m 5m (default: all)",
             &interval_texts);
  p.add_flag("csv", "write CSV (the default format)", &csv);
  p.add_string("format", "FMT", "output format: csv (default)", &format);
  p.add_string("out", "FILE", "write to FILE instead of stdout", &out_path);
  switch (p.parse(args)) {
    case ArgParser::Outcome::kHelpShown:
      return kExitOk;
    case ArgParser::Outcome::kUsageError:
      return kExitUsage;
    case ArgParser::Outcome::kRun:
      break;
  }
  auto usage_error = [](const Error& e) {
    std::fprintf(stderr, "harrier bars: %s\n", e.message().c_str());
    return kExitUsage;
  };
  std::vector<Interval> intervals;
  for (const std::string& t : interval_texts) {
    auto iv = parse_interval(t);
    if (!iv) return usage_error(std::move(iv).error().with_context("--interval"));
    intervals.push_back(*iv);
  }
  if (format != "csv") {
    return usage_error(invalid_input("--format: unknown format '" + format + "' (expected csv)"));
  }
  auto replay = flags.replay_options();
  if (!replay) return usage_error(replay.error());
  auto sealer = flags.sealer_options();
  if (!sealer) return usage_error(sealer.error());

  auto feed = feed::ReplayFeed::open(*replay);
  if (!feed) {
    std::fprintf(stderr, "harrier bars: %s\n", feed.error().to_string().c_str());
    return feed.error().code() == ErrorCode::kInvalidInput ? kExitUsage : kExitFailure;
  }
  std::FILE* out = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  if (!out_path.empty()) {
    file.reset(std::fopen(out_path.c_str(), "wb"));
    if (!file) {
      std::fprintf(stderr, "harrier bars: --out: cannot open '%s' for writing\n", out_path.c_str());
      return kExitFailure;
    }
    out = file.get();
  }

  CsvSink sink(out, (*feed)->symbols(), intervals);
  BarEngine engine(*sealer, sink);
  Tick tick;
  TimestampNs last_ts = 0;
  while (true) {
    auto more = (*feed)->next(tick);
    if (!more) {
      std::fprintf(stderr, "harrier bars: %s\n", more.error().to_string().c_str());
      return kExitFailure;
    }
    if (!*more) break;
    engine.on_clock(tick.ts_ns);
    engine.on_tick(tick, tick.ts_ns);
    last_ts = std::max(last_ts, tick.ts_ns);
  }
  engine.finish(last_ts);
  if (!sink.flush()) {
    std::fprintf(stderr, "harrier bars: write failed\n");
    return kExitFailure;
  }
  const feed::FeedStats& fs = (*feed)->stats();
  const SealerStats& ss = engine.stats();
  std::fprintf(stderr,
               "harrier bars: %llu lines, %llu ticks, %llu rejected, %llu late, %llu bars sealed "
               "(%llu forward-filled), %llu rows written\n",
               static_cast<unsigned long long>(fs.lines), static_cast<unsigned long long>(fs.ticks),
               static_cast<unsigned long long>(fs.rejected_total()),
               static_cast<unsigned long long>(ss.late_ticks),
               static_cast<unsigned long long>(ss.bars_sealed),
               static_cast<unsigned long long>(ss.bars_filled),
               static_cast<unsigned long long>(sink.rows()));
  if (!fs.last_reject.empty()) {
    std::fprintf(stderr, "harrier bars: last rejected line: %s\n", fs.last_reject.c_str());
  }
  return kExitOk;
}

}  // namespace harrier::cli
