// `harrier bars`: the offline path. Replays tick files as fast as possible through the same
// BarEngine P1 runs (the replay clock is the tick's own time, so sealing is deterministic) and
// writes the enriched bars as CSV.
#include <cstdio>
#include <memory>
#include <string>

#include "arrow/bar_codec.h"
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

// Collects the bars of one symbol and interval for an Arrow IPC stream: the bar window P1
// stores in bars:{sym}:{iv}, here with every bar of the replay (or the last --window).
class ArrowSink final : public BarSink {
 public:
  explicit ArrowSink(Interval iv) : iv_(iv) {}
  void on_bar(SealedBar& s) override {
    if (s.interval != iv_) return;
    if (symbol_ == kNoSymbol) symbol_ = s.symbol;
    if (s.symbol != symbol_) {
      mixed_ = true;
      return;
    }
    bars_.push_back(s.bar);
  }
  // The stream's bytes; kInvalidInput when more than one symbol was seen or none.
  Status encode(const SymbolTable& symbols, std::size_t window, std::string& out) const {
    if (mixed_) {
      return invalid_input(
          "--format arrow: the replay holds several symbols; choose one with --symbol");
    }
    if (symbol_ == kNoSymbol) return invalid_input("--format arrow: no bar was sealed");
    std::span<const Bar> all(bars_);
    if (window > 0 && all.size() > window) all = all.last(window);
    return arrow::encode_bars(all, symbols.name(symbol_), iv_, out);
  }
  std::size_t rows() const { return bars_.size(); }

 private:
  Interval iv_;
  SymbolId symbol_ = kNoSymbol;
  bool mixed_ = false;
  std::vector<Bar> bars_;
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
  std::string window_text = "0";
  p.add_string("format", "FMT",
               "csv (default), or arrow: an Arrow IPC stream of one symbol and one --interval, the "
               "bytes P1 stores in bars:{sym}:{iv}",
               &format);
  p.add_string("window", "N", "with --format arrow: only the last N bars (default: all)",
               &window_text);
  p.add_string("out", "FILE", "write to FILE instead of stdout", &out_path);
  if (auto code = p.parse_or_exit(args)) return *code;
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
  if (format != "csv" && format != "arrow") {
    return usage_error(
        invalid_input("--format: unknown format '" + format + "' (expected csv or arrow)"));
  }
  if (format == "arrow" && intervals.size() != 1) {
    return usage_error(invalid_input(
        "--format arrow: give exactly one --interval (a bar window is one symbol and interval)"));
  }
  auto window = int_option("window", window_text);
  if (!window || *window < 0) return kExitUsage;
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

  std::unique_ptr<CsvSink> csv_sink;
  std::unique_ptr<ArrowSink> arrow_sink;
  BarSink* sink = nullptr;
  if (format == "arrow") {
    arrow_sink = std::make_unique<ArrowSink>(intervals[0]);
    sink = arrow_sink.get();
  } else {
    csv_sink = std::make_unique<CsvSink>(out, (*feed)->symbols(), intervals);
    sink = csv_sink.get();
  }
  BarEngine engine(*sealer, *sink);
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
  std::uint64_t rows = 0;
  if (arrow_sink) {
    std::string bytes;
    if (auto st = arrow_sink->encode((*feed)->symbols(), static_cast<std::size_t>(*window), bytes);
        !st) {
      std::fprintf(stderr, "harrier bars: %s\n", st.error().message().c_str());
      return kExitFailure;
    }
    if (std::fwrite(bytes.data(), 1, bytes.size(), out) != bytes.size() || std::fflush(out) != 0) {
      std::fprintf(stderr, "harrier bars: write failed\n");
      return kExitFailure;
    }
    rows = arrow_sink->rows();
  } else {
    if (!csv_sink->flush()) {
      std::fprintf(stderr, "harrier bars: write failed\n");
      return kExitFailure;
    }
    rows = csv_sink->rows();
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
               static_cast<unsigned long long>(rows));
  if (!fs.last_reject.empty()) {
    std::fprintf(stderr, "harrier bars: last rejected line: %s\n", fs.last_reject.c_str());
  }
  return kExitOk;
}

}  // namespace harrier::cli
