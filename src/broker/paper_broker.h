// The `paper` broker (ARCHITECTURE §5): simulated fills against the current quote, for the
// simulator, demos and tests. Deterministic: the same orders, quotes and clock readings give the
// same events.
//
//  - An order is acknowledged (kSubmitted) at the first poll after submit().
//  - It can fill once `latency_ms` has passed since submit() (monotonic clock), against the
//    latest quote passed to on_quote(): a buy at the ask, a sell at the bid, moved against the
//    order by `slippage_bps`; a limit order fills only when that side of the quote is at or
//    better than its limit, and never at a price worse than the limit.
//  - A fill takes at most the displayed size (ask_size for a buy, bid_size for a sell); what is
//    left fills later against later quotes (quote ts_ns greater than the one used last), so an
//    order larger than the displayed size fills in parts (kPartialFill ... kFill).
//  - Orders for a symbol in `silent_symbols` are taken and then never answered (no event at
//    all): the test hook for P2's fail-closed path.
//  - Positions are the broker's own signed account, updated on each fill; the execute loop
//    mirrors it into paper:positions in the same transaction as the fill's order update.
// Owned and polled by P2's main thread; not thread-safe. `clock` must outlive the broker.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "broker/broker.h"
#include "core/clock.h"

namespace harrier::broker {

struct PaperBrokerConfig {
  std::int64_t latency_ms = 0;
  double slippage_bps = 0;
  std::vector<std::string> silent_symbols;
};

class PaperBroker final : public Broker {
 public:
  PaperBroker(PaperBrokerConfig cfg, const Clock& clock);

  // Sets the account's holding of `sym` (the paper:positions value at start-up).
  void set_position(std::string_view sym, std::int64_t qty);
  std::int64_t position(std::string_view sym) const;

  // Errors: kInvalidInput for a client order id this broker has seen before (the original
  // order is not touched). A malformed order (qty <= 0, a limit order without a positive
  // limit price) is accepted and answered with kRejected.
  Status submit(const OrderRequest& order) override;
  Status cancel(std::string_view client_order_id) override;
  Status poll(std::vector<OrderEvent>& out) override;
  bool working(std::string_view client_order_id) const override;
  std::vector<BrokerPosition> positions() const override;
  void on_quote(std::string_view sym, const Quote& quote) override;
  std::vector<std::string> working_symbols() const override;

 private:
  struct Working {
    OrderRequest req;
    std::int64_t due_mono_ns = 0;  // may fill from this time on
    std::int64_t cum_qty = 0;
    double notional = 0;  // sum of fill qty * price
    bool acked = false;
    bool used_quote = false;
    TimestampNs last_quote_ts = 0;  // ts_ns of the quote of the last fill
    bool silent = false;
  };

  OrderEvent event_for(const Working& w, EventKind kind) const;
  // Fills what the current quote allows; true when the order is done.
  bool try_fill(Working& w, std::vector<OrderEvent>& out);
  bool is_silent(std::string_view sym) const;

  PaperBrokerConfig cfg_;
  const Clock& clock_;
  std::vector<Working> orders_;     // submission order, so fills are deterministic
  std::vector<OrderEvent> queued_;  // rejects and cancels waiting for the next poll
  std::map<std::string, Quote, std::less<>> quotes_;
  std::map<std::string, std::int64_t, std::less<>> positions_;
  // Every id ever submitted (duplicates are refused); hashed: a vector searched on every submit
  // cost 200 us an order after 100,000 orders (tools/bench/broker_bench).
  std::unordered_set<std::string> seen_ids_;
};

}  // namespace harrier::broker
