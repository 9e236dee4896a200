// The broker plug point (ARCHITECTURE §5): P2 submits and cancels orders through it and polls
// it for order life-cycle events and positions. Implementations: `paper` (paper_broker.h);
// the Interactive Brokers one builds on broker/tws. The execute loop (roles/execute) owns the
// broker and is its only caller, from P2's main thread; implementations need not be
// thread-safe. Client order ids are chosen by the caller and are the only order identity.
// Prices are in the instrument's currency, quantities in whole shares, times ns since the
// UTC epoch (wall time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"
#include "strategy/strategy.h"

namespace harrier::broker {

using strategy::OrderType;
using strategy::Quote;

struct OrderRequest {
  std::string client_order_id;  // keys::validate_order_id holds
  std::string sym;
  Side side = Side::kBuy;
  std::int64_t qty = 0;  // > 0 shares
  OrderType type = OrderType::kMarket;
  double limit_price = kNaN;  // kLimit only
};

// The life cycle of ARCHITECTURE §2 order:{id}.state: new (before submission, written by P2) ->
// submitted -> partially_filled* -> filled, or rejected / cancelled.
enum class EventKind : std::uint8_t { kSubmitted, kPartialFill, kFill, kRejected, kCancelled };
std::string_view event_kind_name(EventKind k);

struct OrderEvent {
  EventKind kind = EventKind::kSubmitted;
  std::string client_order_id;
  std::string sym;
  Side side = Side::kBuy;
  std::int64_t fill_qty = 0;       // this fill (fills only)
  double fill_price = kNaN;        // this fill (fills only)
  std::int64_t cum_qty = 0;        // filled so far, this fill included
  double avg_price = kNaN;         // volume-weighted over cum_qty
  std::int64_t remaining_qty = 0;  // still working after this event
  TimestampNs ts_ns = 0;
  std::string reason;  // rejects and cancels
};

// What the broker says is held: signed shares, > 0 long.
struct BrokerPosition {
  std::string sym;
  std::int64_t qty = 0;
};

class Broker {
 public:
  Broker() = default;
  virtual ~Broker() = default;
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Hands an order to the broker. An error means the order certainly did not reach it
  // (kInvalidInput for a malformed request, kUnavailable when the broker is down); later
  // outcomes, rejects included, arrive as events from poll().
  virtual Status submit(const OrderRequest& order) = 0;
  // Asks to cancel a working order; the outcome arrives as an event. kNotFound when the broker
  // does not know the id.
  virtual Status cancel(std::string_view client_order_id) = 0;
  // Lets the broker make progress up to its clock's now and appends the events since the last
  // poll to `out`, in the order they happened.
  virtual Status poll(std::vector<OrderEvent>& out) = 0;
  // True while the broker holds `client_order_id` as a working (not finished) order.
  virtual bool working(std::string_view client_order_id) const = 0;
  // The broker's positions (non-zero only).
  virtual std::vector<BrokerPosition> positions() const = 0;
  // Latest market quote for a symbol with working orders (brokers that fill against it; others
  // ignore it).
  virtual void on_quote(std::string_view sym, const Quote& quote) = 0;
  // Symbols with working orders, for the caller to refresh their quotes.
  virtual std::vector<std::string> working_symbols() const = 0;
};

}  // namespace harrier::broker
