// The Feed plug point: anything that turns an outside source into validated Ticks (a replay
// file, the simulator, a broker socket). A feed is owned and driven by one thread (the P1 feed
// thread); it is not thread-safe. Times are exchange timestamps in ns since the UTC epoch.
// Every Tick a feed hands out has passed validation (STYLE B3): bad input is counted in
// FeedStats, logged at a rate limit and skipped, never passed on.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/symbol_table.h"
#include "market/tick.h"

namespace harrier::feed {

// Why an input line was rejected. Each has its own counter in FeedStats.
enum class RejectReason : std::uint8_t {
  kMalformed,      // wrong field count, unparsable number, unknown event, bad symbol
  kBadPrice,       // NaN, inf, zero or negative price
  kNegativeSize,   // a size below zero
  kCrossedQuote,   // both sides present and bid > ask
  kTimeBackwards,  // timestamp earlier than the source's latest by more than the tolerance
};
inline constexpr std::size_t kRejectReasonCount = 5;

std::string_view reject_reason_name(RejectReason reason);

struct FeedStats {
  std::uint64_t lines = 0;     // data lines read (headers and blank lines not counted)
  std::uint64_t ticks = 0;     // ticks handed out by next()
  std::uint64_t filtered = 0;  // valid ticks dropped by the symbol filter or the time bounds
  std::array<std::uint64_t, kRejectReasonCount> rejected{};
  // "file:line: reason: detail" of the latest rejected line; empty when none.
  std::string last_reject;

  std::uint64_t rejected_for(RejectReason r) const { return rejected[static_cast<std::size_t>(r)]; }
  std::uint64_t rejected_total() const {
    std::uint64_t n = 0;
    for (std::uint64_t c : rejected) n += c;
    return n;
  }
};

class Feed {
 public:
  Feed() = default;
  virtual ~Feed() = default;
  Feed(const Feed&) = delete;
  Feed& operator=(const Feed&) = delete;

  // Writes the next tick to `out` and returns true, or returns false at the end of the data.
  // Returns an error only when the source fails (I/O, a corrupt compressed stream) or, in
  // strict mode, for the first bad line; after an error every later call returns it again.
  virtual Result<bool> next(Tick& out) = 0;
  // Names of the SymbolIds in the ticks handed out so far. Valid for the feed's life.
  virtual const SymbolTable& symbols() const = 0;
  virtual const FeedStats& stats() const = 0;
  // True when next() may wait on a remote source (a live connection): its caller then hands
  // each tick on at once instead of batching the hand-over.
  virtual bool live() const { return false; }
};

}  // namespace harrier::feed
