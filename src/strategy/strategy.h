// The strategy plug point of P2 (issue #5): a small abstract class that sees, for one symbol and
// one sealed bar of its trigger interval, the decoded bars of all six timeframes, the quote
// snapshot written with them, and its own engine state (position, open order, halt), and
// returns one decision. A strategy never talks to Redis or a broker; the execute loop does
// (roles/execute). Strategies are chosen by `strategy.name` through make_strategy().
//
// Times: bar times are exchange time in ns since the UTC epoch (bar start); quote freshness is
// measured against market time (the trigger bar's end), so replays of old days work.
// Thread-safety: a Strategy is used by P2's main thread only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/interval.h"
#include "core/result.h"
#include "core/types.h"
#include "market/bar.h"

namespace harrier::strategy {

// The quote snapshot of a bundle (the six fields of quote:{sym}). Sizes in shares.
struct Quote {
  double bid = kNaN, ask = kNaN, bid_size = kNaN, ask_size = kNaN, last = kNaN;
  TimestampNs ts_ns = 0;  // exchange time of the quote
};

// The bars of all six timeframes of one symbol, oldest first, borrowed from the caller (they
// must outlive the evaluation). An interval absent from the bundle or not decodable is empty.
struct BarBundle {
  std::array<std::span<const Bar>, kIntervalCount> bars{};
  std::span<const Bar> of(Interval iv) const { return bars[index_of(iv)]; }
};

// What the engine knows about the symbol (engine_state:{sym}:buy and position:{sym}).
struct EngineState {
  bool halted = false;        // fail-closed halt: no new entries
  std::int64_t position = 0;  // signed shares held (position:{sym} qty)
  bool open_order = false;    // an order of this symbol is still working at the broker
};

// One evaluation: symbol, the sealed trigger bar, and what the strategy may look at.
struct Context {
  std::string_view sym;
  Interval trigger = Interval::k1m;
  TimestampNs bar_start_ns = 0;  // start of the sealed trigger bar (from stream:new_bar)
  const BarBundle& bundle;
  std::optional<Quote> quote;
  const EngineState& state;
};

enum class OrderType : std::uint8_t { kMarket, kLimit };
inline constexpr std::string_view order_type_name(OrderType t) {
  return t == OrderType::kMarket ? "MKT" : "LMT";
}

struct Decision {
  bool enter = false;  // false: skip, with `reason`
  Side side = Side::kBuy;
  std::int64_t qty = 0;
  OrderType type = OrderType::kMarket;
  double limit_price = kNaN;  // kLimit only
  // Why the strategy skipped, short snake_case ("ema_5m", "stale_quote", "halted"), or what it
  // saw when it entered; recorded in engine_state as last_decision = skipped:<reason>.
  std::string reason;

  static Decision skip(std::string why) {
    Decision d;
    d.reason = std::move(why);
    return d;
  }
};

class Strategy {
 public:
  Strategy() = default;
  virtual ~Strategy() = default;
  Strategy(const Strategy&) = delete;
  Strategy& operator=(const Strategy&) = delete;

  // The name used in client order ids and order:{id}.strategy.
  virtual std::string_view name() const = 0;
  // Sealed bars of this interval trigger an evaluation; other intervals are only read.
  virtual Interval trigger() const = 0;
  // The intervals whose bars evaluate() looks at (P2 reads only these fields of the bundle,
  // plus the quote: a window is ~45 KB, so reading two instead of six is most of a cycle).
  // Intervals not listed arrive empty. Default: all six.
  virtual std::vector<Interval> reads() const {
    return std::vector<Interval>(kAllIntervals.begin(), kAllIntervals.end());
  }
  // Never fails: missing or bad data is a skip with a reason.
  virtual Decision evaluate(const Context& ctx) = 0;
};

// The strategy named by cfg.strategy.name with its parameters. kInvalidInput naming the key
// ("key 'strategy.name': ...") for an unknown name or unusable parameters.
Result<std::unique_ptr<Strategy>> make_strategy(const Config& cfg);

}  // namespace harrier::strategy
