// Ticks: the one value type that crosses from a feed to the bar thread. A Tick is either a
// trade or a quote update for one symbol; it is trivially copyable and fits one cache line so
// it moves through the SPSC queue by value. Times are exchange timestamps in ns since the UTC
// epoch. A feed validates every tick before it is made (STYLE B3): a Tick that exists has a
// finite positive price, a non-negative size and an uncrossed quote.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/types.h"

namespace harrier {

enum class TickKind : std::uint8_t { kTrade, kQuote };

// Trade-print flags a feed derives from its source's sale conditions (see
// docs/replay-formats.md). The bar engine decides per flag, by configuration, whether a
// print sets the bar's prices and whether it counts in its volume.
enum TradeFlag : std::uint32_t {
  kTradeFlagNone = 0,
  kTradeFlagOddLot = 1u << 0,            // under a round lot (LEAN 0x80000000)
  kTradeFlagExtendedHours = 1u << 1,     // pre- or post-market print (LEAN 0x2000)
  kTradeFlagOutOfSequence = 1u << 2,     // reported late / out of sequence
  kTradeFlagSuspicious = 1u << 3,        // flagged suspicious by the data vendor
  kTradeFlagAveragePrice = 1u << 4,      // average-price or derivatively-priced print
  kTradeFlagOpenClose = 1u << 5,         // official open / close cross print
  kTradeFlagNoLast = 1u << 6,            // vendor says: does not update last / high / low
  kTradeFlagIntermarketSweep = 1u << 7,  // intermarket sweep order print (LEAN 0x20)
  kTradeFlagSeller = 1u << 8,            // seller's option / non-standard settlement (LEAN 0x8)
};

struct Tick {
  TimestampNs ts_ns = 0;
  SymbolId symbol = kNoSymbol;
  std::uint32_t flags = 0;  // TradeFlag bits (trades; a quote carries only kTradeFlagSuspicious)
  // Trade: price and size. Quote: unused.
  double price = 0;
  std::int64_t size = 0;
  // Quote: each side may be absent (NaN price, size 0) when a venue updates one side only.
  double bid = kNaN;
  double ask = kNaN;
  std::int32_t bid_size = 0;
  std::int32_t ask_size = 0;
  TickKind kind = TickKind::kTrade;
  char venue = 0;  // one-letter venue code, 0 when unknown

  static Tick trade(SymbolId sym, TimestampNs ts, double px, std::int64_t sz,
                    std::uint32_t flags = 0) {
    Tick t;
    t.ts_ns = ts;
    t.symbol = sym;
    t.kind = TickKind::kTrade;
    t.price = px;
    t.size = sz;
    t.flags = flags;
    return t;
  }
  static Tick quote(SymbolId sym, TimestampNs ts, double bid, std::int32_t bid_sz, double ask,
                    std::int32_t ask_sz) {
    Tick t;
    t.ts_ns = ts;
    t.symbol = sym;
    t.kind = TickKind::kQuote;
    t.bid = bid;
    t.bid_size = bid_sz;
    t.ask = ask;
    t.ask_size = ask_sz;
    return t;
  }
};

static_assert(std::is_trivially_copyable_v<Tick>);
static_assert(sizeof(Tick) <= 64);

}  // namespace harrier
