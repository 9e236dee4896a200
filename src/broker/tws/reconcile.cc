#include "broker/tws/reconcile.h"

#include <fmt/format.h>

namespace harrier::tws {

bool order_status_final(std::string_view s) {
  return s == "Filled" || s == "Cancelled" || s == "ApiCancelled" || s == "Inactive";
}

std::string Reconciler::position_key(std::string_view account, std::int64_t con_id,
                                     std::string_view symbol) {
  return con_id != 0 ? fmt::format("{}|{}", account, con_id)
                     : fmt::format("{}|sym:{}", account, symbol);
}

void Reconciler::track(TrackedOrder o) {
  refs_.insert(o.order_ref);
  const std::int64_t id = o.order_id;
  orders_[id] = std::move(o);
}

void Reconciler::untrack(std::int64_t order_id) {
  auto it = orders_.find(order_id);
  if (it == orders_.end()) return;
  refs_.erase(it->second.order_ref);
  orders_.erase(it);
}

void Reconciler::on_order_status(const OrderStatus& s) {
  auto it = orders_.find(s.order_id);
  if (it == orders_.end()) return;
  TrackedOrder& o = it->second;
  o.status = s.status;
  if (s.filled == s.filled) o.filled = s.filled;  // NaN: unset
  if (s.perm_id != 0) o.perm_id = s.perm_id;
  o.working = !order_status_final(s.status);
}

bool Reconciler::on_execution(const Execution& e) {
  if (!e.order_ref.empty()) refs_.insert(e.order_ref);
  return exec_ids_.insert(e.exec_id).second;
}

void Reconciler::on_open_order(const OpenOrder& o) {
  if (!o.order_ref.empty()) refs_.insert(o.order_ref);
  auto it = orders_.find(o.order_id);
  if (it != orders_.end() && o.perm_id != 0) it->second.perm_id = o.perm_id;
}

void Reconciler::on_position(const Position& p) {
  std::string key = position_key(p.account, p.contract.con_id, p.contract.symbol);
  positions_[key] = Pos{p.account, p.contract.symbol, p.contract.con_id, p.position};
}

ReconcileReport Reconciler::reconcile(const SyncSnapshot& snap, std::uint64_t session) {
  ReconcileReport r;
  r.session = session;
  r.positions = snap.positions.size();

  // Positions: what TWS holds now against what was known. A position missing from the snapshot
  // is flat now.
  std::map<std::string, Pos, std::less<>> now;
  for (const Position& p : snap.positions) {
    now[position_key(p.account, p.contract.con_id, p.contract.symbol)] =
        Pos{p.account, p.contract.symbol, p.contract.con_id, p.position};
  }
  for (const auto& [key, p] : now) {
    auto it = positions_.find(key);
    double before = it == positions_.end() ? 0 : it->second.qty;
    if (before != p.qty)
      r.position_changes.push_back({p.account, p.symbol, p.con_id, before, p.qty});
  }
  for (const auto& [key, p] : positions_) {
    if (!now.contains(key) && p.qty != 0) {
      r.position_changes.push_back({p.account, p.symbol, p.con_id, p.qty, 0});
    }
  }
  positions_ = std::move(now);

  // Executions not seen before: fills that happened while the socket was down.
  for (const Execution& e : snap.executions) {
    if (on_execution(e)) r.missed_executions.push_back(e);
  }

  // Orders: match by orderId, then by orderRef (a restarted process knows refs, not ids).
  std::set<std::int64_t> open_ids;
  for (const OpenOrder& o : snap.open_orders) {
    open_ids.insert(o.order_id);
    auto it = orders_.find(o.order_id);
    if (it != orders_.end()) {
      it->second.working = true;
      if (o.perm_id != 0) it->second.perm_id = o.perm_id;
      r.orders_confirmed.push_back(o.order_id);
      continue;
    }
    r.orders_adopted.push_back(o);
    if (!o.order_ref.empty()) refs_.insert(o.order_ref);
    TrackedOrder t;
    t.order_id = o.order_id;
    t.order_ref = o.order_ref;
    t.symbol = o.contract.symbol;
    t.action = o.action;
    t.total_quantity = o.total_quantity;
    t.perm_id = o.perm_id;
    t.working = true;
    orders_[o.order_id] = std::move(t);
  }
  for (auto& [id, o] : orders_) {
    if (o.working && !open_ids.contains(id)) {
      o.working = false;
      r.orders_gone.push_back(o);
    }
  }
  return r;
}

const TrackedOrder* Reconciler::by_id(std::int64_t order_id) const {
  auto it = orders_.find(order_id);
  return it == orders_.end() ? nullptr : &it->second;
}

const TrackedOrder* Reconciler::by_ref(std::string_view order_ref) const {
  for (const auto& [id, o] : orders_) {
    if (o.order_ref == order_ref) return &o;
  }
  return nullptr;
}

bool Reconciler::ref_used(std::string_view order_ref) const { return refs_.contains(order_ref); }

double Reconciler::position(std::string_view account, std::int64_t con_id,
                            std::string_view symbol) const {
  auto it = positions_.find(position_key(account, con_id, symbol));
  return it == positions_.end() ? 0 : it->second.qty;
}

}  // namespace harrier::tws
