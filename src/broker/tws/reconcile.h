// What the connection knows about its orders, executions and positions, and the reconciliation
// after every (re)connect: the session re-syncs positions (reqPositions), this client's open
// orders (reqOpenOrders) and today's executions (reqExecutions), and the Reconciler compares
// that snapshot with what it held before the drop. Orders are matched by orderId and by
// orderRef (Harrier's client order id), so fills are matched after a process restart too.
// Owned by the connection's thread; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "broker/tws/messages.h"

namespace harrier::tws {

struct TrackedOrder {
  std::int64_t order_id = 0;
  std::string order_ref;
  std::string symbol;
  std::string action;
  double total_quantity = 0;
  double filled = 0;
  std::string status;  // last orderStatus status ("" until one arrives)
  std::int64_t perm_id = 0;
  bool working = true;
};

// Collected between the re-sync requests and their end messages.
struct SyncSnapshot {
  std::vector<Position> positions;
  std::vector<OpenOrder> open_orders;
  std::vector<Execution> executions;
};

struct PositionChange {
  std::string account;
  std::string symbol;
  std::int64_t con_id = 0;
  double before = 0;
  double after = 0;
};

// What changed while the connection was down (or since the process started).
struct ReconcileReport {
  std::uint64_t session = 0;                     // 1 for the first connection, then +1
  std::vector<PositionChange> position_changes;  // positions that differ from before
  std::vector<Execution> missed_executions;      // executions not seen before the re-sync
  std::vector<TrackedOrder> orders_gone;         // working here, not open at TWS any more
  std::vector<OpenOrder> orders_adopted;         // open at TWS, unknown here (now tracked)
  std::vector<std::int64_t> orders_confirmed;    // working here and still open at TWS
  std::size_t positions = 0;                     // positions in the snapshot
  bool changed() const {
    return !position_changes.empty() || !missed_executions.empty() || !orders_gone.empty() ||
           !orders_adopted.empty();
  }
};

class Reconciler {
 public:
  // An order this process is about to send.
  void track(TrackedOrder o);
  // An order queued but never written to the socket: forget it (its id is still burnt).
  void untrack(std::int64_t order_id);
  void on_order_status(const OrderStatus& s);
  // Returns true when the execution is new (its execId was not seen before).
  bool on_execution(const Execution& e);
  void on_open_order(const OpenOrder& o);
  void on_position(const Position& p);

  // Compares the snapshot with the state before and adopts the snapshot.
  ReconcileReport reconcile(const SyncSnapshot& snap, std::uint64_t session);

  const TrackedOrder* by_id(std::int64_t order_id) const;
  const TrackedOrder* by_ref(std::string_view order_ref) const;
  // True when `order_ref` was ever used by an order this connection knows of (sent here,
  // seen open at TWS or in an execution): a second order with it would be a duplicate.
  bool ref_used(std::string_view order_ref) const;
  double position(std::string_view account, std::int64_t con_id, std::string_view symbol) const;
  const std::map<std::int64_t, TrackedOrder>& orders() const { return orders_; }

 private:
  static std::string position_key(std::string_view account, std::int64_t con_id,
                                  std::string_view symbol);
  std::map<std::int64_t, TrackedOrder> orders_;  // by orderId
  std::set<std::string, std::less<>> refs_;      // every orderRef seen
  std::set<std::string, std::less<>> exec_ids_;  // every execId seen
  struct Pos {
    std::string account, symbol;
    std::int64_t con_id = 0;
    double qty = 0;
  };
  std::map<std::string, Pos, std::less<>> positions_;
};

// Status strings after which an order is no longer working.
bool order_status_final(std::string_view status);

}  // namespace harrier::tws
