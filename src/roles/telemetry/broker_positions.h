// Where P3's watchdog reads what the broker holds (issue #8): a small plug point so the paper
// account (HGETALL paper:positions) and Interactive Brokers (positions over the TWS connection
// of P3's own client id, ib.client_id_telemetry) fit the same check. Both run on the telemetry
// loop thread; not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "broker/tws/connection.h"
#include "bus/connection.h"
#include "roles/telemetry/positions.h"

namespace harrier::roles::telemetry {

class BrokerPositionSource {
 public:
  virtual ~BrokerPositionSource() = default;
  // Drives the source's I/O; called on every loop turn (cheap when idle).
  virtual void poll() {}
  // The broker's positions now; nullopt when they are not known at this moment (a TWS session
  // down or not yet re-synced): the caller skips the comparison rather than trust a guess.
  // Errors are the source's I/O errors (Redis).
  virtual Result<std::optional<BrokerRead>> read() = 0;
};

// paper:positions over the loop's Redis connection (borrowed; must outlive the source).
class PaperPositionSource final : public BrokerPositionSource {
 public:
  explicit PaperPositionSource(bus::Connection& conn) : conn_(conn) {}
  Result<std::optional<BrokerRead>> read() override;

 private:
  bus::Connection& conn_;
};

// Positions from TWS: the connection's re-sync after every (re)connect asks reqPositions, and
// TWS keeps streaming position updates after positionEnd. Known from the first positionEnd of a
// session until that session drops. Stocks only (as IbBroker), filtered by ib.account when
// set. Owns its Connection (order ids in memory: P3 never places orders); `clock` must outlive
// it.
class IbPositionSource final : public BrokerPositionSource, private tws::ConnectionHandler {
 public:
  IbPositionSource(tws::ConnectionOptions opts, const Clock& clock);
  ~IbPositionSource() override;
  void poll() override;
  Result<std::optional<BrokerRead>> read() override;
  const tws::Connection& connection() const { return conn_; }

 private:
  void on_message(const tws::Message& m, tws::SubId sub) override;
  void on_state(tws::SessionState from, tws::SessionState to, std::string_view why) override;

  tws::InMemoryOrderIdStore ids_;
  tws::Connection conn_;
  std::map<std::string, double, std::less<>> held_;  // symbol -> shares, this session
  bool synced_ = false;
};

}  // namespace harrier::roles::telemetry
