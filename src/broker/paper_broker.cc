#include "broker/paper_broker.h"

#include <algorithm>
#include <cmath>

namespace harrier::broker {

std::string_view event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::kSubmitted:
      return "submitted";
    case EventKind::kPartialFill:
      return "partially_filled";
    case EventKind::kFill:
      return "filled";
    case EventKind::kRejected:
      return "rejected";
    case EventKind::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

PaperBroker::PaperBroker(PaperBrokerConfig cfg, const Clock& clock)
    : cfg_(std::move(cfg)), clock_(clock) {}

void PaperBroker::set_position(std::string_view sym, std::int64_t qty) {
  if (qty == 0) {
    if (auto it = positions_.find(sym); it != positions_.end()) positions_.erase(it);
    return;
  }
  positions_[std::string(sym)] = qty;
}

std::int64_t PaperBroker::position(std::string_view sym) const {
  auto it = positions_.find(sym);
  return it == positions_.end() ? 0 : it->second;
}

bool PaperBroker::is_silent(std::string_view sym) const {
  return std::find(cfg_.silent_symbols.begin(), cfg_.silent_symbols.end(), sym) !=
         cfg_.silent_symbols.end();
}

OrderEvent PaperBroker::event_for(const Working& w, EventKind kind) const {
  OrderEvent e;
  e.kind = kind;
  e.client_order_id = w.req.client_order_id;
  e.sym = w.req.sym;
  e.side = w.req.side;
  e.cum_qty = w.cum_qty;
  e.avg_price = w.cum_qty > 0 ? w.notional / static_cast<double>(w.cum_qty) : kNaN;
  e.remaining_qty = w.req.qty - w.cum_qty;
  e.ts_ns = clock_.now_ns();
  return e;
}

Status PaperBroker::submit(const OrderRequest& order) {
  if (!seen_ids_.insert(order.client_order_id).second) {
    return invalid_input("paper broker: duplicate client order id '" + order.client_order_id + "'");
  }
  Working w;
  w.req = order;
  w.due_mono_ns = clock_.mono_ns() + cfg_.latency_ms * kNsPerMs;
  w.silent = is_silent(order.sym);
  std::string bad;
  if (order.qty <= 0) bad = "qty must be positive";
  if (order.type == OrderType::kLimit &&
      !(std::isfinite(order.limit_price) && order.limit_price > 0)) {
    bad = "limit order needs a positive limit price";
  }
  if (!bad.empty() && !w.silent) {
    OrderEvent e = event_for(w, EventKind::kRejected);
    e.remaining_qty = 0;
    e.reason = bad;
    queued_.push_back(std::move(e));
    return ok();
  }
  orders_.push_back(std::move(w));
  return ok();
}

Status PaperBroker::cancel(std::string_view id) {
  for (auto it = orders_.begin(); it != orders_.end(); ++it) {
    if (it->req.client_order_id != id) continue;
    if (it->silent) return ok();  // a silent broker answers nothing, cancels included
    OrderEvent e = event_for(*it, EventKind::kCancelled);
    e.remaining_qty = 0;
    e.reason = "cancelled on request";
    queued_.push_back(std::move(e));
    orders_.erase(it);
    return ok();
  }
  return not_found("paper broker: no working order '" + std::string(id) + "'");
}

void PaperBroker::on_quote(std::string_view sym, const Quote& quote) {
  auto it = quotes_.find(sym);
  if (it == quotes_.end()) {
    quotes_.emplace(std::string(sym), quote);
  } else if (quote.ts_ns >= it->second.ts_ns) {
    it->second = quote;  // never step back to an older quote
  }
}

bool PaperBroker::try_fill(Working& w, std::vector<OrderEvent>& out) {
  auto qit = quotes_.find(w.req.sym);
  if (qit == quotes_.end()) return false;
  const Quote& q = qit->second;
  if (w.used_quote && q.ts_ns <= w.last_quote_ts) return false;  // partial fills need a later quote
  const bool buy = w.req.side == Side::kBuy;
  const double touch = buy ? q.ask : q.bid;
  const double shown = buy ? q.ask_size : q.bid_size;
  if (!(std::isfinite(touch) && touch > 0 && std::isfinite(shown) && shown >= 1)) return false;
  const double slip = cfg_.slippage_bps / 1e4;
  double price = buy ? touch * (1 + slip) : touch * (1 - slip);
  if (w.req.type == OrderType::kLimit) {
    if (buy ? touch > w.req.limit_price : touch < w.req.limit_price) return false;
    price = buy ? std::min(price, w.req.limit_price) : std::max(price, w.req.limit_price);
  }
  const std::int64_t remaining = w.req.qty - w.cum_qty;
  const std::int64_t qty = std::min(remaining, static_cast<std::int64_t>(std::floor(shown)));
  w.cum_qty += qty;
  w.notional += static_cast<double>(qty) * price;
  w.used_quote = true;
  w.last_quote_ts = q.ts_ns;
  positions_[w.req.sym] += buy ? qty : -qty;
  if (positions_[w.req.sym] == 0) positions_.erase(w.req.sym);
  const bool done = w.cum_qty == w.req.qty;
  OrderEvent e = event_for(w, done ? EventKind::kFill : EventKind::kPartialFill);
  e.fill_qty = qty;
  e.fill_price = price;
  out.push_back(std::move(e));
  return done;
}

Status PaperBroker::poll(std::vector<OrderEvent>& out) {
  for (OrderEvent& e : queued_) out.push_back(std::move(e));
  queued_.clear();
  const std::int64_t now = clock_.mono_ns();
  for (auto it = orders_.begin(); it != orders_.end();) {
    Working& w = *it;
    if (w.silent) {
      ++it;
      continue;
    }
    if (!w.acked) {
      w.acked = true;
      out.push_back(event_for(w, EventKind::kSubmitted));
    }
    bool done = false;
    if (now >= w.due_mono_ns) done = try_fill(w, out);
    it = done ? orders_.erase(it) : it + 1;
  }
  return ok();
}

bool PaperBroker::working(std::string_view id) const {
  return std::any_of(orders_.begin(), orders_.end(),
                     [&](const Working& w) { return w.req.client_order_id == id; });
}

std::vector<BrokerPosition> PaperBroker::positions() const {
  std::vector<BrokerPosition> out;
  for (const auto& [sym, qty] : positions_) out.push_back({sym, qty});
  return out;
}

std::vector<std::string> PaperBroker::working_symbols() const {
  std::vector<std::string> out;
  for (const Working& w : orders_) {
    if (w.silent) continue;
    if (std::find(out.begin(), out.end(), w.req.sym) == out.end()) out.push_back(w.req.sym);
  }
  return out;
}

}  // namespace harrier::broker
