// Reconciliation after a re-sync: positions, missed executions, orders gone or adopted,
// matched by orderId and by orderRef.
#include "broker/tws/reconcile.h"

#include <gtest/gtest.h>

namespace harrier::tws {
namespace {

Position pos(std::string sym, double qty) {
  Position p;
  p.account = "DU1";
  p.contract.symbol = std::move(sym);
  p.position = qty;
  return p;
}

Execution exec(std::string id, std::int64_t order_id, std::string ref) {
  Execution e;
  e.exec_id = std::move(id);
  e.order_id = order_id;
  e.order_ref = std::move(ref);
  e.shares = 10;
  return e;
}

OpenOrder open(std::int64_t id, std::string ref) {
  OpenOrder o;
  o.order_id = id;
  o.order_ref = std::move(ref);
  o.contract.symbol = "SPY";
  o.total_quantity = 100;
  return o;
}

TrackedOrder tracked(std::int64_t id, std::string ref) {
  TrackedOrder o;
  o.order_id = id;
  o.order_ref = std::move(ref);
  o.symbol = "SPY";
  o.action = "BUY";
  o.total_quantity = 100;
  return o;
}

TEST(Reconciler, ReportsWhatChangedWhileDown) {
  Reconciler r;
  r.on_position(pos("SPY", 100));
  r.on_position(pos("QQQ", 50));
  r.track(tracked(7, "c-7"));
  r.track(tracked(8, "c-8"));
  EXPECT_TRUE(r.on_execution(exec("e1", 7, "c-7")));
  EXPECT_FALSE(r.on_execution(exec("e1", 7, "c-7")));  // a repeat is not new

  SyncSnapshot snap;
  snap.positions = {pos("SPY", 200)};                    // QQQ gone flat, SPY doubled
  snap.open_orders = {open(7, "c-7"), open(31, "old")};  // 8 gone, 31 unknown here
  snap.executions = {exec("e1", 7, "c-7"), exec("e2", 8, "c-8")};
  ReconcileReport rep = r.reconcile(snap, 2);

  EXPECT_EQ(rep.session, 2u);
  ASSERT_EQ(rep.position_changes.size(), 2u);
  EXPECT_TRUE(rep.changed());
  ASSERT_EQ(rep.missed_executions.size(), 1u);
  EXPECT_EQ(rep.missed_executions[0].exec_id, "e2");
  ASSERT_EQ(rep.orders_gone.size(), 1u);
  EXPECT_EQ(rep.orders_gone[0].order_ref, "c-8");
  ASSERT_EQ(rep.orders_adopted.size(), 1u);
  EXPECT_EQ(rep.orders_adopted[0].order_id, 31);
  ASSERT_EQ(rep.orders_confirmed.size(), 1u);
  EXPECT_EQ(rep.orders_confirmed[0], 7);
  EXPECT_TRUE(r.ref_used("old"));  // an adopted orderRef is never used again
  EXPECT_EQ(r.by_ref("old")->order_id, 31);
  EXPECT_EQ(r.position("DU1", 0, "SPY"), 200);
  EXPECT_EQ(r.position("DU1", 0, "QQQ"), 0);

  // The same snapshot again: nothing changed.
  ReconcileReport again = r.reconcile(snap, 3);
  EXPECT_FALSE(again.changed());
}

TEST(Reconciler, FinalStatusEndsWorking) {
  Reconciler r;
  r.track(tracked(3, "a"));
  OrderStatus s;
  s.order_id = 3;
  s.status = "Submitted";
  s.filled = 40;
  r.on_order_status(s);
  EXPECT_TRUE(r.by_id(3)->working);
  EXPECT_EQ(r.by_id(3)->filled, 40);
  s.status = "Filled";
  s.filled = 100;
  r.on_order_status(s);
  EXPECT_FALSE(r.by_id(3)->working);
  // A finished order missing from the open orders is not "gone".
  EXPECT_TRUE(r.reconcile({}, 1).orders_gone.empty());
}

}  // namespace
}  // namespace harrier::tws
