// ReplayFeed: streams recorded tick files (plain or zstd, formats in docs/replay-formats.md)
// as validated Ticks, merging several files by timestamp. Files are read in buffered chunks,
// never loaded whole. Reading is separate from pacing: the caller asks a Pacer how long to
// wait before releasing each tick. Driven by one thread (the feed thread); not thread-safe.
//
// Ordering: ticks come out in (ts_ns, source index) order across sources, each source in file
// order. A source may step back in time by up to the tolerance; such ticks pass through (they
// may be late for the bar engine), larger steps back are rejected.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "feed/feed.h"
#include "feed/line_reader.h"
#include "feed/source_reader.h"

namespace harrier::feed {

struct ReplaySource {
  std::string path;
  // Symbol of a file without a symbol column (LEAN formats). Empty: taken from the file name
  // prefix. Must be empty for canonical files, which name the symbol on every row.
  std::string symbol;
};

// Parses "[SYM=]FILE": a file, optionally preceded by the symbol of a LEAN file that has no
// symbol column ("SPY=quotes.csv.zst"). An '=' after the first '/' belongs to the path.
ReplaySource parse_replay_source(std::string_view text);

struct ReplayOptions {
  std::vector<ReplaySource> sources;   // merged by timestamp
  std::vector<std::string> symbols;    // symbol filter; empty passes every symbol
  std::optional<TimestampNs> from_ns;  // drop ticks before this (inclusive bound)
  std::optional<TimestampNs> to_ns;    // drop ticks at or after this (exclusive bound)
  bool strict = false;                 // the first bad line is an error, not a skip
  DurationNs backwards_tolerance_ns = kNsPerSec;
  const Clock* clock = nullptr;  // for the log rate limit; nullptr: SystemClock
  std::size_t buffer_bytes = LineReader::kDefaultBufferBytes;  // per source; max line length
};

class ReplayFeed final : public Feed {
 public:
  // Opens every source and reads its header. Returns kInvalidInput for bad options (no
  // source, from >= to, negative tolerance, a bad symbol) or a source with an unknown header
  // or no symbol, and kNotFound / kIo for a file that cannot be opened; messages name the file.
  static Result<std::unique_ptr<ReplayFeed>> open(const ReplayOptions& options);

  Result<bool> next(Tick& out) override;
  const SymbolTable& symbols() const override { return ctx_->symbols; }
  const FeedStats& stats() const override { return ctx_->stats; }

  // The detected format of source `i` (in the order given). REQUIRES: i < source_count().
  Format source_format(std::size_t i) const { return sources_[i]->format(); }
  std::size_t source_count() const { return sources_.size(); }

 private:
  explicit ReplayFeed(std::unique_ptr<SourceContext> ctx) : ctx_(std::move(ctx)) {}

  struct Head {
    Tick tick;
    std::size_t source;
  };
  // Heap order: true when `a` comes after `b`, so the smallest (ts, source) is at the front.
  static bool later(const Head& a, const Head& b);
  // Reads the next tick of source `i` into the heap (nothing at its end).
  Status pull(std::size_t i);

  std::unique_ptr<SourceContext> ctx_;  // heap-held: readers keep a reference to it
  std::vector<std::unique_ptr<SourceReader>> sources_;
  std::vector<Head> heap_;  // min-heap on (tick.ts_ns, source)
  std::optional<Error> failed_;
  bool primed_ = false;
};

}  // namespace harrier::feed
