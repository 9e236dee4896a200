// A protocol-level fake TWS for tests (no live TWS is reachable here). It listens on
// 127.0.0.1:<free port>, speaks the real framing and handshake (API\0 + version range, the
// server-version reply, startApi -> managedAccounts + nextValidId), answers the requests a
// connection makes (reqPositions, reqOpenOrders, reqExecutions, reqCurrentTime, placeOrder,
// cancelOrder) from its own small account state, and lets the test script any server frame.
// It is poll-driven like the connection (do_work), so a test runs both on its own thread
// without sleeping, and it records every client frame with its arrival time on the test's
// clock (for pacing checks). The account state (orders, executions, positions) survives a
// dropped client, as it does in a real TWS. Loopback only. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/tws/framing.h"
#include "broker/tws/socket.h"
#include "core/clock.h"
#include "core/result.h"

namespace harrier::tws::testing {

struct FakeTwsOptions {
  int server_version = 193;
  std::string accounts = "DU123456";
  std::int64_t next_valid_id = 1;
  int client_id_in_use_times = 0;  // the next N startApi get error 326 and a closed socket
  bool answer_current_time = true;
  bool ack_orders = true;        // placeOrder -> openOrder + orderStatus Submitted
  const Clock* clock = nullptr;  // arrival times (mono_ns); null: SystemClock
};

// One frame the client sent.
struct ClientFrame {
  std::int64_t at_ns = 0;  // clock mono_ns when read
  int connection = 0;      // 1 for the first accepted connection
  std::vector<std::string> fields;
  int id() const;             // message id (fields[0]); -1 when not a number
  std::string pipes() const;  // "49|1|"
};

struct FakeOrder {
  std::int64_t order_id = 0;
  std::string order_ref;
  std::string symbol;
  std::string action;
  double quantity = 0;
  double filled = 0;
  double avg_price = 0;
  std::int64_t perm_id = 0;
  bool open = true;
};

struct FakeExecution {
  std::int64_t order_id = 0;
  std::string exec_id;
  std::string symbol;
  std::string side;  // BOT / SLD
  double shares = 0;
  double price = 0;
  double cum_qty = 0;
  double avg_price = 0;
  std::string order_ref;
  std::int64_t perm_id = 0;
};

class FakeTws {
 public:
  static Result<std::unique_ptr<FakeTws>> start(FakeTwsOptions opts = {});
  ~FakeTws();
  FakeTws(const FakeTws&) = delete;
  FakeTws& operator=(const FakeTws&) = delete;

  int port() const { return port_; }
  FakeTwsOptions& options() { return opts_; }

  // Accepts, reads, answers, writes. Returns the amount of work done.
  int do_work();

  // A client is connected and has sent startApi (and was not refused).
  bool session_up() const { return client_.valid() && api_started_; }
  int connections() const { return connections_; }
  // Sends a scripted frame ("4|2|-1|1100|Connectivity lost||") to the current client.
  void send(std::string_view pipes);
  // Writes raw bytes (a frame cut anywhere, a lying length prefix) to the current client.
  void send_raw(std::string_view bytes);
  // Closes the client socket (the client sees EOF).
  void drop_client();

  // Fills `qty` of an order at `price`: execDetails (reqId -1) and orderStatus to the client,
  // and the execution and position kept for later re-syncs.
  void fill(std::int64_t order_id, double qty, double price);

  const std::vector<ClientFrame>& received() const { return received_; }
  std::vector<ClientFrame> received_with_id(int id) const;
  std::map<std::int64_t, FakeOrder>& orders() { return orders_; }
  std::vector<FakeExecution>& executions() { return executions_; }
  std::map<std::string, double>& positions() { return positions_; }  // symbol -> qty

 private:
  FakeTws() = default;
  void accept_client();
  void read_client();
  void on_frame(std::string_view payload);
  void queue(std::string_view pipes);
  void flush();
  std::string open_order_frame(const FakeOrder& o) const;
  std::string order_status_frame(const FakeOrder& o, double last_price) const;
  std::string execution_frame(const FakeExecution& e, std::string_view req_id) const;

  FakeTwsOptions opts_;
  Socket listener_;
  Socket client_;
  int port_ = 0;
  int connections_ = 0;
  bool hello_prefix_seen_ = false;
  bool version_seen_ = false;
  bool api_started_ = false;
  std::string prefix_;  // bytes of "API\0" read so far
  FrameSplitter splitter_;
  std::string out_;
  std::int32_t client_id_ = 0;
  std::int64_t next_perm_id_ = 900000001;
  int next_exec_ = 1;
  std::vector<ClientFrame> received_;
  std::map<std::int64_t, FakeOrder> orders_;
  std::vector<FakeExecution> executions_;
  std::map<std::string, double> positions_;
};

}  // namespace harrier::tws::testing
