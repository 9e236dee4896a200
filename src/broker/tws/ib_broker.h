// The Interactive Brokers broker (broker::Broker, broker.kind = "ib"): orders, executions and
// positions over one tws::Connection (P2's client id). The execute loop owns it and calls it
// from P2's main thread; poll() drives the connection's do_work(). Client order ids travel in
// orderRef, so fills are matched after a reconnect or a restart (executions are deduplicated by
// execId: a fill seen live and again in the re-sync is one event). Stocks only (SMART, USD).
// Not thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "broker/broker.h"
#include "broker/tws/connection.h"

namespace harrier::tws {

class IbBroker final : public broker::Broker, private ConnectionHandler {
 public:
  // `conn` and `clock` must outlive the broker; the broker becomes the connection's handler.
  IbBroker(Connection& conn, const Clock& clock);
  ~IbBroker() override;

  Status submit(const broker::OrderRequest& order) override;
  Status cancel(std::string_view client_order_id) override;
  Status poll(std::vector<broker::OrderEvent>& out) override;
  bool working(std::string_view client_order_id) const override;
  std::vector<broker::BrokerPosition> positions() const override;
  void on_quote(std::string_view, const broker::Quote&) override {}
  std::vector<std::string> working_symbols() const override;

 private:
  struct Live {
    std::int64_t order_id = 0;
    std::string sym;
    Side side = Side::kBuy;
    std::int64_t qty = 0;
    std::int64_t cum = 0;
    double notional = 0;
    bool submitted = false;
    bool done = false;
  };
  void on_message(const Message& m, SubId sub) override;
  void on_reconciled(const ReconcileReport& r) override;
  void on_order_not_sent(std::int64_t order_id, std::string_view ref,
                         std::string_view why) override;
  Live* by_order_id(std::int64_t id, std::string* ref);
  void finish(const std::string& ref, Live& o, broker::EventKind kind, std::string reason);

  Connection& conn_;
  const Clock& clock_;
  std::map<std::string, Live, std::less<>> orders_;  // by client order id
  std::set<std::string, std::less<>> exec_ids_;
  std::map<std::string, double, std::less<>> positions_;  // symbol -> shares
  std::vector<broker::OrderEvent> pending_;
};

}  // namespace harrier::tws
