#include "broker/tws/ib_broker.h"

#include <cmath>

#include <fmt/format.h>

namespace harrier::tws {

IbBroker::IbBroker(Connection& conn, const Clock& clock) : conn_(conn), clock_(clock) {
  conn_.set_handler(this);
}

IbBroker::~IbBroker() { conn_.set_handler(nullptr); }

Status IbBroker::submit(const broker::OrderRequest& r) {
  if (r.qty <= 0)
    return invalid_input(fmt::format("ib order '{}': qty must be > 0", r.client_order_id));
  if (orders_.contains(r.client_order_id)) {
    return invalid_input(
        fmt::format("ib order '{}': client order id already used", r.client_order_id));
  }
  Contract c;
  c.symbol = r.sym;
  c.sec_type = "STK";
  c.exchange = "SMART";
  c.currency = "USD";
  Order o;
  o.action = r.side == Side::kBuy ? "BUY" : "SELL";
  o.total_quantity = static_cast<double>(r.qty);
  o.order_type = std::string(strategy::order_type_name(r.type));
  if (r.type == broker::OrderType::kLimit) o.lmt_price = r.limit_price;
  o.tif = "DAY";
  o.order_ref = r.client_order_id;
  HARRIER_ASSIGN_OR_RETURN(std::int64_t id, conn_.place_order(c, o));
  orders_[r.client_order_id] = Live{id, r.sym, r.side, r.qty, 0, 0, false, false};
  return ok();
}

Status IbBroker::cancel(std::string_view client_order_id) {
  auto it = orders_.find(client_order_id);
  if (it == orders_.end() || it->second.done) {
    return not_found(fmt::format("ib: no working order '{}'", client_order_id));
  }
  return conn_.cancel_order(it->second.order_id);
}

Status IbBroker::poll(std::vector<broker::OrderEvent>& out) {
  for (int i = 0; i < 64 && conn_.do_work() > 0; ++i) {
  }
  out.insert(out.end(), std::make_move_iterator(pending_.begin()),
             std::make_move_iterator(pending_.end()));
  pending_.clear();
  return ok();
}

bool IbBroker::working(std::string_view id) const {
  auto it = orders_.find(id);
  return it != orders_.end() && !it->second.done;
}

std::vector<broker::BrokerPosition> IbBroker::positions() const {
  std::vector<broker::BrokerPosition> out;
  for (const auto& [sym, qty] : positions_) {
    if (qty != 0) out.push_back({sym, static_cast<std::int64_t>(std::llround(qty))});
  }
  return out;
}

std::vector<std::string> IbBroker::working_symbols() const {
  std::vector<std::string> out;
  for (const auto& [ref, o] : orders_) {
    if (!o.done) out.push_back(o.sym);
  }
  return out;
}

IbBroker::Live* IbBroker::by_order_id(std::int64_t id, std::string* ref) {
  for (auto& [r, o] : orders_) {
    if (o.order_id == id) {
      *ref = r;
      return &o;
    }
  }
  return nullptr;
}

void IbBroker::finish(const std::string& ref, Live& o, broker::EventKind kind, std::string reason) {
  if (o.done) return;
  o.done = true;
  broker::OrderEvent e;
  e.kind = kind;
  e.client_order_id = ref;
  e.sym = o.sym;
  e.side = o.side;
  e.cum_qty = o.cum;
  e.avg_price = o.cum > 0 ? o.notional / static_cast<double>(o.cum) : kNaN;
  e.remaining_qty = 0;
  e.ts_ns = clock_.now_ns();
  e.reason = std::move(reason);
  pending_.push_back(std::move(e));
}

void IbBroker::on_message(const Message& m, SubId) {
  if (const auto* x = std::get_if<Execution>(&m)) {
    if (!exec_ids_.insert(x->exec_id).second) return;  // seen live and again in the re-sync
    auto it = orders_.find(x->order_ref);
    if (it == orders_.end() || x->shares <= 0) return;
    Live& o = it->second;
    const auto qty = static_cast<std::int64_t>(std::llround(x->shares));
    o.cum += qty;
    o.notional += x->price * static_cast<double>(qty);
    broker::OrderEvent e;
    e.kind = o.cum >= o.qty ? broker::EventKind::kFill : broker::EventKind::kPartialFill;
    e.client_order_id = it->first;
    e.sym = o.sym;
    e.side = o.side;
    e.fill_qty = qty;
    e.fill_price = x->price;
    e.cum_qty = o.cum;
    e.avg_price = o.notional / static_cast<double>(o.cum);
    e.remaining_qty = std::max<std::int64_t>(0, o.qty - o.cum);
    e.ts_ns = clock_.now_ns();
    if (e.kind == broker::EventKind::kFill) o.done = true;
    pending_.push_back(std::move(e));
  } else if (const auto* s = std::get_if<OrderStatus>(&m)) {
    std::string ref;
    Live* o = by_order_id(s->order_id, &ref);
    if (o == nullptr || o->done) return;
    if (!o->submitted && (s->status == "Submitted" || s->status == "PreSubmitted")) {
      o->submitted = true;
      broker::OrderEvent e;
      e.kind = broker::EventKind::kSubmitted;
      e.client_order_id = ref;
      e.sym = o->sym;
      e.side = o->side;
      e.remaining_qty = o->qty - o->cum;
      e.ts_ns = clock_.now_ns();
      pending_.push_back(std::move(e));
    } else if (s->status == "Cancelled" || s->status == "ApiCancelled") {
      finish(ref, *o, broker::EventKind::kCancelled, "cancelled");
    } else if (s->status == "Inactive") {
      finish(ref, *o, broker::EventKind::kRejected, "inactive at TWS");
    }
  } else if (const auto* err = std::get_if<ErrorMessage>(&m)) {
    if (err->code != 201 && err->code != 202) return;
    std::string ref;
    Live* o = by_order_id(err->id, &ref);
    if (o == nullptr) return;
    finish(ref, *o, err->code == 201 ? broker::EventKind::kRejected : broker::EventKind::kCancelled,
           fmt::format("{}: {}", err->code, err->message));
  } else if (const auto* p = std::get_if<Position>(&m)) {
    if (p->contract.sec_type == "STK") positions_[p->contract.symbol] = p->position;
  }
}

void IbBroker::on_reconciled(const ReconcileReport& r) {
  // Orders open at TWS that this process does not know (it restarted): adopt them by orderRef,
  // so their fills are matched.
  for (const OpenOrder& o : r.orders_adopted) {
    if (o.order_ref.empty() || orders_.contains(o.order_ref)) continue;
    Live l;
    l.order_id = o.order_id;
    l.sym = o.contract.symbol;
    l.side = o.action == "SELL" ? Side::kSell : Side::kBuy;
    l.qty = static_cast<std::int64_t>(std::llround(o.total_quantity));
    l.submitted = true;
    orders_[o.order_ref] = l;
  }
}

void IbBroker::on_order_not_sent(std::int64_t order_id, std::string_view, std::string_view why) {
  std::string ref;
  Live* o = by_order_id(order_id, &ref);
  if (o != nullptr) finish(ref, *o, broker::EventKind::kRejected, fmt::format("not sent: {}", why));
}

}  // namespace harrier::tws
