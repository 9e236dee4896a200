// The TWS / IB Gateway connection (issue #8 part 2): the protocol library (framing, handshake,
// encoder, decoder) driven over a non-blocking socket by a poll loop. do_work() does one duty
// cycle and returns how much it did (aeron's doWork), so the same object runs inside a P1, P2
// or P3 thread or directly on a test thread with a ManualClock. Nothing here blocks or sleeps.
//
// Session state machine (docs/tws.md §9):
//   kWaiting --attempt due--> kConnecting --TCP up, hello sent--> kHandshake
//   kHandshake --server version, startApi, managedAccounts + nextValidId--> kSyncing
//   kSyncing --positionEnd + openOrderEnd + execDetailsEnd: reconcile--> kReady
//   kReady --1100/2110--> kDegraded --1102--> kReady; --1101--> resubscribe all, kReady
//   any --EOF, socket error, bad framing, 326, 1300, handshake timeout, watchdog--> kWaiting
// Reconnects wait a capped exponential backoff with jitter (bus::Backoff); after error 326
// (client id in use: the old session is still being torn down) at least
// client_id_in_use_wait_ns, and the same client id is used again.
//
// Outgoing messages: every frame after the hello goes through one queue and one Pacer
// (token bucket, injectable clock), so the rate holds for orders, cancels, re-sync requests,
// subscription replays and the watchdog alike.
//
// Orders are accepted only in kReady and outside the gateway-restart window; otherwise
// place_order fails with kUnavailable and nothing is queued (fail closed: an order is never
// held back to be sent after a reconnect). Each order id is persisted (OrderIdAllocator) before
// the frame is queued, and the orderRef carries the caller's client order id. An order still
// in the queue when the socket drops was never written: on_order_not_sent reports it.
//
// Watchdog: when nothing has arrived for watchdog_ns in a live session, reqCurrentTime is sent;
// when nothing arrives within watchdog_reply_ns after that, the connection is dropped and
// re-established (a gateway that restarted can leave the socket open and silent).
//
// Thread-safety: one owning thread calls everything, handlers included (they run inside
// do_work and may call back into the connection).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "broker/tws/decoder.h"
#include "broker/tws/encoder.h"
#include "broker/tws/framing.h"
#include "broker/tws/handshake.h"
#include "broker/tws/order_ids.h"
#include "broker/tws/pacer.h"
#include "broker/tws/reconcile.h"
#include "broker/tws/socket.h"
#include "broker/tws/subscriptions.h"
#include "bus/backoff.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/result.h"

namespace harrier::tws {

enum class SessionState : std::uint8_t {
  kStopped,     // not started, or stop() called
  kWaiting,     // disconnected; the next attempt is due at next_attempt_ns()
  kConnecting,  // TCP connect in progress
  kHandshake,   // hello sent; waiting for the server version, managedAccounts and nextValidId
  kSyncing,     // re-syncing positions, open orders and executions; subscriptions replayed
  kReady,       // live: orders allowed (outside the restart window)
  kDegraded,    // 1100 / 2110: IB <-> TWS connectivity lost; socket kept, no new orders
};
std::string_view session_state_name(SessionState s);

struct ConnectionOptions {
  std::string host = "127.0.0.1";
  int port = 7497;
  std::int32_t client_id = 0;
  std::string account;  // orders and the execution filter; empty: TWS's default account
  double pacing_per_s = 45;
  int pacing_burst = 0;  // 0: pacer_burst_for(pacing_per_s), so rate + burst <= 50
  DurationNs reconnect_initial_ns = 250 * kNsPerMs;
  DurationNs reconnect_max_ns = 30 * kNsPerSec;
  double reconnect_jitter = 0.5;
  std::uint64_t seed = 0x1b5eed;
  DurationNs client_id_in_use_wait_ns = 2 * kNsPerSec;  // after 326, before the same id again
  DurationNs connect_timeout_ns = 10 * kNsPerSec;       // TCP connect + handshake
  DurationNs watchdog_ns = 10 * kNsPerSec;              // silence before reqCurrentTime; 0: off
  DurationNs watchdog_reply_ns = 5 * kNsPerSec;         // unanswered probe -> reconnect
  // Daily gateway-restart window in UTC minutes of the day ([start, start + len)); no orders
  // are sent inside it. start < 0: no window.
  int restart_window_start_min = -1;
  int restart_window_len_min = 0;
  std::size_t max_queued_frames = 4096;  // beyond this, requests fail with kUnavailable
};

// Parses "HH:MM-HH:MM" (UTC, may wrap midnight) into start and length in minutes; "" is none.
Status parse_restart_window(std::string_view text, int& start_min, int& len_min);

struct ConnectionStats {
  std::uint64_t attempts = 0;          // connect attempts started
  std::uint64_t sessions = 0;          // handshakes completed (managedAccounts + nextValidId)
  std::uint64_t disconnects = 0;       // sessions or attempts that ended in a drop
  std::uint64_t client_id_in_use = 0;  // error 326 received
  std::uint64_t frames_in = 0;
  std::uint64_t frames_out = 0;       // frames released by the pacer (hello not counted)
  std::uint64_t decode_errors = 0;    // payloads the decoder refused (skipped)
  std::uint64_t watchdog_probes = 0;  // reqCurrentTime sent by the watchdog
  std::uint64_t watchdog_reconnects = 0;
  std::uint64_t resubscribe_1101 = 0;    // times the registry was replayed after 1101
  std::uint64_t subscriptions_sent = 0;  // subscription requests sent (first sends + replays)
  std::uint64_t orders_sent = 0;         // placeOrder frames queued
  std::uint64_t orders_refused = 0;      // place_order calls refused (not ready, window, dup)
  std::uint64_t orders_not_sent = 0;     // queued orders dropped with the socket
  std::string last_error;
};

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  // Every decoded message after the handshake. `sub` is the registry handle when the message
  // is data of a registered subscription (by its current reqId), else kNoSub.
  virtual void on_message(const Message& m, SubId sub) = 0;
  virtual void on_state(SessionState /*from*/, SessionState /*to*/, std::string_view /*why*/) {}
  // After every re-sync (first connection included).
  virtual void on_reconciled(const ReconcileReport& /*report*/) {}
  // A placeOrder that was still queued when the socket dropped: it never reached TWS.
  virtual void on_order_not_sent(std::int64_t /*order_id*/, std::string_view /*order_ref*/,
                                 std::string_view /*why*/) {}
};

class Connection {
 public:
  // `clock`, `ids` and `handler` (may be null) must outlive the connection.
  Connection(ConnectionOptions opts, const Clock& clock, OrderIdStore& ids,
             ConnectionHandler* handler = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void set_handler(ConnectionHandler* h) { handler_ = h; }
  // Starts connecting (the first attempt is due at once).
  void start();
  // Closes the socket; queued frames are dropped (queued orders reported as not sent).
  void stop();
  // One duty cycle: connect progress, reads, decoding and dispatch, timers, paced writes.
  // Returns the amount of work done (0: idle, the caller may back off).
  int do_work();

  // ---- subscriptions: kept in the registry and replayed after every reconnect and 1101 ----
  // Sent at once when a session is up, else at the next session. kUnavailable when the queue
  // is full; kInvalidInput when the request cannot be encoded.
  Result<SubId> subscribe(Subscription s);
  // Removes it and sends the cancel when it is live. kNotFound for an unknown handle.
  Status unsubscribe(SubId id);
  const SubscriptionRegistry& subscriptions() const { return subs_; }

  // ---- orders ----
  // Sends a plain LMT/MKT order. `o.order_ref` (the client order id) is required and must not
  // have been used before; `o.order_id` is ignored and the allocated id is returned.
  // kUnavailable when not kReady, inside the restart window, or the id could not be persisted;
  // kInvalidInput for a missing or reused orderRef or a request that cannot be encoded.
  Result<std::int64_t> place_order(const Contract& c, Order o);
  // Cancels by order id; allowed in any live session state (cancelling reduces risk).
  Status cancel_order(std::int64_t order_id);
  // Any other request, encoded by `fn` with the session's Encoder and paced like the rest.
  // kUnavailable before the handshake completed.
  Status send(const std::function<Status(const Encoder&, std::string&)>& fn);
  // A fresh request id (distinct from order ids: they start at 1'000'000'000).
  std::int32_t next_req_id() { return next_req_id_++; }

  SessionState state() const { return state_; }
  // True when an order would be accepted now; otherwise `why` says why not.
  bool can_send_orders(std::string* why = nullptr) const;
  bool in_restart_window() const;
  int server_version() const { return encoder_ ? encoder_->server_version() : 0; }
  const std::vector<std::string>& accounts() const { return accounts_; }
  std::int64_t next_attempt_ns() const { return next_attempt_ns_; }
  const ConnectionStats& stats() const { return stats_; }
  const Reconciler& reconciler() const { return reconciler_; }
  const OrderIdAllocator& order_ids() const { return ids_; }
  const Pacer& pacer() const { return pacer_; }
  const ConnectionOptions& options() const { return opts_; }
  std::size_t queued_frames() const { return queue_.size(); }

 private:
  struct Pending {
    std::string frame;
    std::int64_t order_id = 0;  // placeOrder frames only
    std::string order_ref;
  };

  void set_state(SessionState to, std::string_view why);
  void begin_connect();
  // Drops the socket and schedules the next attempt no earlier than `min_delay_ns` from now.
  void drop(std::string_view why, DurationNs min_delay_ns = 0);
  int read_input();
  int flush_output();
  void check_timers();
  void on_payload(std::string_view payload);
  void on_server_hello(std::string_view payload);
  void on_startup_done();
  void dispatch(const Message& m);
  void on_error_message(const ErrorMessage& e);
  void finish_sync_if_done();
  Status queue_frame(std::string frame, std::int64_t order_id = 0, std::string order_ref = {});
  Status send_subscription(Subscription& s);
  void replay_subscriptions(std::string_view why);
  bool live_session() const;

  ConnectionOptions opts_;
  const Clock& clock_;
  ConnectionHandler* handler_;
  OrderIdAllocator ids_;
  Pacer pacer_;
  bus::Backoff backoff_;
  SubscriptionRegistry subs_;
  Reconciler reconciler_;

  SessionState state_ = SessionState::kStopped;
  Socket sock_;
  FrameSplitter splitter_;
  std::optional<Encoder> encoder_;
  std::optional<Decoder> decoder_;
  StartupTracker startup_;
  std::vector<std::string> accounts_;
  std::deque<Pending> queue_;
  std::string wbuf_;
  std::size_t wpos_ = 0;

  std::int64_t next_attempt_ns_ = 0;
  std::int64_t deadline_ns_ = 0;  // connect + handshake deadline
  std::int64_t last_rx_ns_ = 0;
  std::int64_t probe_ns_ = 0;          // watchdog probe outstanding since; 0: none
  std::uint64_t probe_frames_in_ = 0;  // frames_in when the probe was sent
  DurationNs drop_min_delay_ns_ = 0;
  bool degraded_ = false;  // 1100 seen and not yet restored

  struct Sync {
    bool active = false;
    bool positions_done = false, orders_done = false, execs_done = false;
    std::int32_t exec_req_id = 0;
    SyncSnapshot snap;
  } sync_;

  std::int32_t next_req_id_ = 1'000'000'000;
  ConnectionStats stats_;
  log::LogEvery decode_log_{5 * kNsPerSec};
};

}  // namespace harrier::tws
