// Reads one replay file: detects its format from the header, decodes each line, resolves the
// symbol, checks time order and applies the symbol filter and time bounds, so that only good
// ticks come out. Rejected lines are counted and logged here. ReplayFeed merges several
// readers. Used by the feed thread only; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/result.h"
#include "core/symbol_table.h"
#include "feed/feed.h"
#include "feed/line_reader.h"
#include "feed/replay_format.h"

namespace harrier::feed {

// State shared by all readers of one feed. Owned by the feed; must outlive its readers.
struct SourceContext {
  SymbolTable symbols;
  FeedStats stats;
  std::vector<std::string> symbol_filter;  // empty: every symbol passes
  std::optional<TimestampNs> from_ns;      // inclusive
  std::optional<TimestampNs> to_ns;        // exclusive
  DurationNs backwards_tolerance_ns = kNsPerSec;
  bool strict = false;
  const Clock* clock = &SystemClock::instance();  // for the log rate limit
  log::LogEvery reject_log{kNsPerSec};

  bool symbol_passes(std::string_view name) const;
};

class SourceReader {
 public:
  // Reads the header of `bytes` (named `name` in messages) and prepares to stream it.
  // `symbol` is required for formats without a symbol column unless `name` starts with one
  // ("spy_20131007_trades.csv.zst" -> SPY). Returns kInvalidInput naming the file for an
  // empty file, an unknown header or no usable symbol; the source's error if reading fails.
  // `ctx` is borrowed and must outlive the reader.
  static Result<std::unique_ptr<SourceReader>> open(std::unique_ptr<ByteSource> bytes,
                                                    std::string name, std::string symbol,
                                                    SourceContext& ctx, std::size_t buffer_bytes);

  // Writes the next good tick (symbol set) to `out` and returns true, or returns false at the
  // end. Returns an error when reading fails, or in strict mode for the first bad line.
  Result<bool> next(Tick& out);

  Format format() const { return format_; }
  const std::string& name() const { return name_; }

 private:
  SourceReader(LineReader lines, std::string name, Format format, SourceContext& ctx)
      : lines_(std::move(lines)), name_(std::move(name)), format_(format), ctx_(ctx) {}

  // Counts and reports a bad line; returns the error in strict mode.
  Status reject(std::uint64_t line_no, const Reject& why);
  // Id of a canonical row's symbol, kFiltered if the filter drops it, or nullopt if invalid.
  std::optional<SymbolId> resolve(std::string_view name);

  static constexpr SymbolId kFiltered = kNoSymbol - 1;

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  LineReader lines_;
  std::string name_;
  Format format_;
  SourceContext& ctx_;
  SymbolId fixed_symbol_ = kNoSymbol;  // LEAN formats: the source's symbol (or kFiltered)
  std::unordered_map<std::string, SymbolId, StringHash, std::equal_to<>> symbol_cache_;
  std::string last_name_;  // fast path: consecutive rows usually share a symbol
  SymbolId last_id_ = kNoSymbol;
  TimestampNs high_ns_ = 0;  // latest timestamp accepted so far
  bool have_high_ = false;
  bool done_ = false;
};

// The symbol a file name implies: its base name up to the first '_', upper-cased
// ("data/ibm_20131007_quotes.csv.zst" -> "IBM"). Empty when there is no '_'.
std::string symbol_from_file_name(std::string_view path);

}  // namespace harrier::feed
