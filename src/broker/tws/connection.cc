#include "broker/tws/connection.h"

#include <ctime>
#include <type_traits>

#include <fmt/format.h>

#include "broker/tws/wire.h"
#include "core/text.h"

namespace harrier::tws {
namespace {

constexpr std::string_view kTag = "tws";
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr int kMaxReadsPerCycle = 16;

// The reqId of a market-data style message, or 0.
std::int32_t data_req_id(const Message& m) {
  return std::visit(
      [](const auto& v) -> std::int32_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, TickPrice> || std::is_same_v<T, TickSize> ||
                      std::is_same_v<T, TickGeneric> || std::is_same_v<T, TickString> ||
                      std::is_same_v<T, TickOptionComputation> ||
                      std::is_same_v<T, TickByTickLast> || std::is_same_v<T, TickByTickBidAsk> ||
                      std::is_same_v<T, TickByTickMidPoint> || std::is_same_v<T, MarketDepth> ||
                      std::is_same_v<T, MarketDataType> || std::is_same_v<T, TickReqParams> ||
                      std::is_same_v<T, TickSnapshotEnd>) {
          return v.req_id;
        } else if constexpr (std::is_same_v<T, ErrorMessage>) {
          return (v.id > 0 && v.id <= 0x7fffffff) ? static_cast<std::int32_t>(v.id) : 0;
        } else {
          return 0;
        }
      },
      m);
}

// "yyyymmdd-00:00:00" for the UTC day of `now_ns`: the execution filter for "today".
std::string utc_day_start(TimestampNs now_ns) {
  std::time_t t = static_cast<std::time_t>(floor_div(now_ns, kNsPerSec));
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return fmt::format("{:04}{:02}{:02}-00:00:00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

}  // namespace

std::string_view session_state_name(SessionState s) {
  switch (s) {
    case SessionState::kStopped:
      return "stopped";
    case SessionState::kWaiting:
      return "waiting";
    case SessionState::kConnecting:
      return "connecting";
    case SessionState::kHandshake:
      return "handshake";
    case SessionState::kSyncing:
      return "syncing";
    case SessionState::kReady:
      return "ready";
    case SessionState::kDegraded:
      return "degraded";
  }
  return "unknown";
}

Status parse_restart_window(std::string_view text, int& start_min, int& len_min) {
  start_min = -1;
  len_min = 0;
  if (text.empty()) return ok();
  auto bad = [&] {
    return invalid_input(fmt::format("restart window '{}': want HH:MM-HH:MM (UTC)", text));
  };
  auto hhmm = [](std::string_view s) -> int {
    if (s.size() != 5 || s[2] != ':') return -1;
    auto h = text::parse_int(s.substr(0, 2));
    auto m = text::parse_int(s.substr(3, 2));
    if (!h || !m || *h < 0 || *h > 23 || *m < 0 || *m > 59) return -1;
    return static_cast<int>(*h * 60 + *m);
  };
  std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) return bad();
  int a = hhmm(text.substr(0, dash));
  int b = hhmm(text.substr(dash + 1));
  if (a < 0 || b < 0 || a == b) return bad();
  start_min = a;
  len_min = b > a ? b - a : b + 24 * 60 - a;
  return ok();
}

Connection::Connection(ConnectionOptions opts, const Clock& clock, OrderIdStore& ids,
                       ConnectionHandler* handler)
    : opts_(std::move(opts)),
      clock_(clock),
      handler_(handler),
      ids_(ids),
      pacer_(opts_.pacing_per_s,
             opts_.pacing_burst > 0 ? opts_.pacing_burst : pacer_burst_for(opts_.pacing_per_s)),
      backoff_(bus::BackoffPolicy{opts_.reconnect_initial_ns, opts_.reconnect_max_ns,
                                  opts_.reconnect_jitter, opts_.seed}) {}

Connection::~Connection() { stop(); }

void Connection::set_state(SessionState to, std::string_view why) {
  if (to == state_) return;
  SessionState from = state_;
  state_ = to;
  log::info(kTag, "client {} {} -> {}: {}", opts_.client_id, session_state_name(from),
            session_state_name(to), why);
  if (handler_ != nullptr) handler_->on_state(from, to, why);
}

void Connection::start() {
  if (state_ != SessionState::kStopped) return;
  next_attempt_ns_ = clock_.mono_ns();
  set_state(SessionState::kWaiting, "start");
}

void Connection::stop() {
  if (state_ == SessionState::kStopped) return;
  drop("stopped");
  set_state(SessionState::kStopped, "stop()");
}

bool Connection::live_session() const {
  return state_ == SessionState::kSyncing || state_ == SessionState::kReady ||
         state_ == SessionState::kDegraded;
}

bool Connection::in_restart_window() const {
  if (opts_.restart_window_start_min < 0 || opts_.restart_window_len_min <= 0) return false;
  std::int64_t min_of_day = floor_div(clock_.now_ns(), 60 * kNsPerSec) % (24 * 60);
  std::int64_t since = (min_of_day - opts_.restart_window_start_min + 24 * 60) % (24 * 60);
  return since < opts_.restart_window_len_min;
}

bool Connection::can_send_orders(std::string* why) const {
  std::string reason;
  if (state_ != SessionState::kReady) {
    reason = fmt::format("session is {}", session_state_name(state_));
  } else if (in_restart_window()) {
    reason = "inside the gateway-restart window";
  }
  if (why != nullptr) *why = reason;
  return reason.empty();
}

// ---------------------------------------------------------------------------------------------
// Connect, drop, timers

void Connection::begin_connect() {
  ++stats_.attempts;
  splitter_ = FrameSplitter();
  encoder_.reset();
  decoder_.reset();
  startup_ = StartupTracker{};
  accounts_.clear();
  wbuf_.clear();
  wpos_ = 0;
  degraded_ = false;
  probe_ns_ = 0;
  sync_ = Sync{};
  const std::int64_t now = clock_.mono_ns();
  deadline_ns_ = now + opts_.connect_timeout_ns;
  auto s = Socket::connect_nonblocking(opts_.host, opts_.port);
  if (!s) {
    drop(s.error().message());
    return;
  }
  sock_ = std::move(*s);
  set_state(SessionState::kConnecting, fmt::format("{}:{}", opts_.host, opts_.port));
}

void Connection::drop(std::string_view why, DurationNs min_delay_ns) {
  const bool had_socket = sock_.valid();
  sock_.close();
  wbuf_.clear();
  wpos_ = 0;
  encoder_.reset();
  decoder_.reset();
  subs_.clear_req_ids();
  sync_ = Sync{};
  probe_ns_ = 0;
  // Queued frames never reached the socket. Orders among them are reported, never resent.
  std::deque<Pending> dropped;
  dropped.swap(queue_);
  for (Pending& p : dropped) {
    if (p.order_id == 0) continue;
    ++stats_.orders_not_sent;
    reconciler_.untrack(p.order_id);
    if (handler_ != nullptr) handler_->on_order_not_sent(p.order_id, p.order_ref, why);
  }
  if (state_ == SessionState::kStopped) return;
  if (had_socket || state_ != SessionState::kWaiting) ++stats_.disconnects;
  stats_.last_error = std::string(why);
  DurationNs delay = std::max(backoff_.next_delay(), min_delay_ns);
  next_attempt_ns_ = clock_.mono_ns() + delay;
  log::warn(kTag, "client {} disconnected: {}; next attempt in {} ms", opts_.client_id, why,
            delay / kNsPerMs);
  set_state(SessionState::kWaiting, why);
}

void Connection::check_timers() {
  const std::int64_t now = clock_.mono_ns();
  if ((state_ == SessionState::kConnecting || state_ == SessionState::kHandshake) &&
      now >= deadline_ns_) {
    drop(fmt::format("handshake not finished within {} ms", opts_.connect_timeout_ns / kNsPerMs));
    return;
  }
  if (!live_session() || opts_.watchdog_ns <= 0) return;
  if (probe_ns_ != 0) {
    if (stats_.frames_in > probe_frames_in_) {
      probe_ns_ = 0;  // answered (any inbound frame proves the session is alive)
    } else if (now - probe_ns_ >= opts_.watchdog_reply_ns) {
      ++stats_.watchdog_reconnects;
      drop(fmt::format("watchdog: no reply to reqCurrentTime within {} ms",
                       opts_.watchdog_reply_ns / kNsPerMs));
      return;
    }
  }
  if (probe_ns_ == 0 && now - last_rx_ns_ >= opts_.watchdog_ns) {
    auto st = send([](const Encoder& e, std::string& out) { return e.req_current_time(out); });
    if (st) {
      ++stats_.watchdog_probes;
      probe_ns_ = now;
      probe_frames_in_ = stats_.frames_in;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Duty cycle

int Connection::do_work() {
  int work = 0;
  switch (state_) {
    case SessionState::kStopped:
      return 0;
    case SessionState::kWaiting:
      if (clock_.mono_ns() >= next_attempt_ns_) {
        begin_connect();
        ++work;
      }
      if (state_ != SessionState::kConnecting) return work;
      [[fallthrough]];
    case SessionState::kConnecting: {
      auto up = sock_.poll_connected();
      if (!up) {
        drop(up.error().message());
        return work + 1;
      }
      if (!*up) {
        check_timers();
        return work;
      }
      wbuf_ = client_hello(kClientMinVersion, kClientMaxVersion);
      wpos_ = 0;
      last_rx_ns_ = clock_.mono_ns();
      set_state(SessionState::kHandshake, "TCP connected, hello sent");
      ++work;
      break;
    }
    default:
      break;
  }
  work += flush_output();
  if (!sock_.valid()) return work;
  work += read_input();
  if (!sock_.valid()) return work;
  check_timers();
  if (!sock_.valid()) return work;
  work += flush_output();
  return work;
}

int Connection::read_input() {
  int work = 0;
  char buf[kReadChunk];
  for (int i = 0; i < kMaxReadsPerCycle && sock_.valid(); ++i) {
    auto n = sock_.read_some(buf, sizeof(buf));
    if (!n) {
      drop(n.error().message());
      return work + 1;
    }
    if (*n == 0) break;
    ++work;
    splitter_.feed(std::string_view(buf, *n));
    for (;;) {
      auto next = splitter_.next();
      if (!next) {
        drop(next.error().message());
        return work;
      }
      if (!next->has_value()) break;
      on_payload(**next);
      if (!sock_.valid()) return work;  // the payload ended the session (326, 1300...)
    }
  }
  return work;
}

int Connection::flush_output() {
  if (!sock_.valid() || state_ == SessionState::kConnecting) return 0;
  int work = 0;
  const std::int64_t now = clock_.mono_ns();
  while (!queue_.empty() && pacer_.try_take(now)) {
    Pending& p = queue_.front();
    if (wpos_ == wbuf_.size()) {
      wbuf_.clear();
      wpos_ = 0;
    }
    wbuf_.append(p.frame);
    ++stats_.frames_out;
    queue_.pop_front();
    ++work;
  }
  while (wpos_ < wbuf_.size()) {
    auto n = sock_.write_some(std::string_view(wbuf_).substr(wpos_));
    if (!n) {
      drop(n.error().message());
      return work + 1;
    }
    if (*n == 0) break;
    wpos_ += *n;
    ++work;
  }
  return work;
}

Status Connection::queue_frame(std::string frame, std::int64_t order_id, std::string order_ref) {
  if (queue_.size() >= opts_.max_queued_frames) {
    return unavailable(fmt::format("tws: {} frames queued (pacer at {}/s); request refused",
                                   queue_.size(), opts_.pacing_per_s));
  }
  queue_.push_back(Pending{std::move(frame), order_id, std::move(order_ref)});
  return ok();
}

Status Connection::send(const std::function<Status(const Encoder&, std::string&)>& fn) {
  if (!encoder_ || !(live_session() || state_ == SessionState::kHandshake)) {
    return unavailable(fmt::format("tws: no session (state {})", session_state_name(state_)));
  }
  std::string frame;
  HARRIER_TRY(fn(*encoder_, frame));
  return queue_frame(std::move(frame));
}

// ---------------------------------------------------------------------------------------------
// Incoming

void Connection::on_payload(std::string_view payload) {
  ++stats_.frames_in;
  last_rx_ns_ = clock_.mono_ns();
  if (!decoder_) {
    on_server_hello(payload);
    return;
  }
  auto m = decoder_->decode(payload);
  if (!m) {
    ++stats_.decode_errors;
    stats_.last_error = m.error().message();
    if (decode_log_.allow(clock_.mono_ns())) {
      log::warn(kTag, "client {}: skipped a message: {} (suppressed {})", opts_.client_id,
                m.error().message(), decode_log_.suppressed());
    }
    return;
  }
  if (state_ == SessionState::kHandshake) {
    if (const auto* a = std::get_if<ManagedAccounts>(&*m)) {
      accounts_ = a->accounts;
      startup_.have_accounts = true;
    } else if (const auto* n = std::get_if<NextValidId>(&*m)) {
      startup_.have_next_id = true;
      if (auto st = ids_.on_next_valid_id(n->order_id); !st) {
        stats_.last_error = st.error().message();
        log::error(kTag, "client {}: {} (orders refused)", opts_.client_id, st.error().message());
      }
    }
  }
  dispatch(*m);
  if (state_ == SessionState::kHandshake && sock_.valid() && startup_.ready()) on_startup_done();
}

void Connection::on_server_hello(std::string_view payload) {
  auto hello = parse_server_hello(payload, kLowestTestedServerVersion, kClientMaxVersion);
  if (!hello) {
    log::error(kTag, "client {}: {}", opts_.client_id, hello.error().message());
    drop(hello.error().message());
    return;
  }
  encoder_.emplace(hello->server_version);
  decoder_.emplace(hello->server_version);
  std::string frame;
  if (auto st = encode_start_api(frame, hello->server_version, opts_.client_id); !st) {
    drop(st.error().message());
    return;
  }
  (void)queue_frame(std::move(frame));
}

void Connection::on_startup_done() {
  ++stats_.sessions;
  set_state(SessionState::kSyncing,
            fmt::format("server version {}, accounts {}", encoder_->server_version(),
                        fmt::join(accounts_, ",")));
  // Re-sync in the reference's order (§8): positions, open orders, today's executions; then
  // every subscription again with a fresh reqId.
  sync_ = Sync{};
  sync_.active = true;
  sync_.exec_req_id = next_req_id();
  ExecutionFilter f;
  f.client_id = opts_.client_id;
  f.account = opts_.account;
  f.time = utc_day_start(clock_.now_ns());
  const std::int32_t exec_req = sync_.exec_req_id;
  Status st = send([](const Encoder& e, std::string& out) { return e.req_positions(out); });
  if (st) st = send([](const Encoder& e, std::string& out) { return e.req_open_orders(out); });
  if (st) {
    st = send(
        [&](const Encoder& e, std::string& out) { return e.req_executions(out, exec_req, f); });
  }
  if (!st) {
    drop(st.error().message());
    return;
  }
  replay_subscriptions("new session");
}

Status Connection::send_subscription(Subscription& s) {
  if (!encoder_) return unavailable("tws: no session");
  s.req_id = next_req_id();
  std::string frame;
  HARRIER_TRY(encode_subscribe(*encoder_, frame, s));
  HARRIER_TRY(queue_frame(std::move(frame)));
  ++s.sends;
  ++stats_.subscriptions_sent;
  return ok();
}

void Connection::replay_subscriptions(std::string_view why) {
  for (Subscription& s : subs_.all()) {
    if (auto st = send_subscription(s); !st) {
      s.req_id = 0;
      log::error(kTag, "client {}: resubscribe {} {} ({}): {}", opts_.client_id,
                 sub_kind_name(s.kind), s.contract.symbol, why, st.error().message());
    }
  }
}

void Connection::dispatch(const Message& m) {
  if (const auto* e = std::get_if<ErrorMessage>(&m)) {
    on_error_message(*e);
    if (!sock_.valid()) return;
  } else if (const auto* p = std::get_if<Position>(&m)) {
    if (sync_.active && !sync_.positions_done) {
      sync_.snap.positions.push_back(*p);
    } else {
      reconciler_.on_position(*p);
    }
  } else if (std::holds_alternative<PositionEnd>(m)) {
    if (sync_.active) sync_.positions_done = true;
  } else if (const auto* o = std::get_if<OpenOrder>(&m)) {
    if (sync_.active && !sync_.orders_done) sync_.snap.open_orders.push_back(*o);
    reconciler_.on_open_order(*o);
  } else if (std::holds_alternative<OpenOrderEnd>(m)) {
    if (sync_.active) sync_.orders_done = true;
  } else if (const auto* x = std::get_if<Execution>(&m)) {
    if (sync_.active && x->req_id == sync_.exec_req_id) {
      sync_.snap.executions.push_back(*x);
    } else {
      reconciler_.on_execution(*x);
    }
  } else if (const auto* xe = std::get_if<ExecDetailsEnd>(&m)) {
    if (sync_.active && xe->req_id == sync_.exec_req_id) sync_.execs_done = true;
  } else if (const auto* s = std::get_if<OrderStatus>(&m)) {
    reconciler_.on_order_status(*s);
  } else if (const auto* n = std::get_if<NextValidId>(&m)) {
    if (state_ != SessionState::kHandshake) {
      if (auto st = ids_.on_next_valid_id(n->order_id); !st) {
        stats_.last_error = st.error().message();
      }
    }
  }
  if (handler_ != nullptr) handler_->on_message(m, subs_.find_by_req(data_req_id(m)));
  if (sync_.active) finish_sync_if_done();
}

void Connection::finish_sync_if_done() {
  if (!(sync_.positions_done && sync_.orders_done && sync_.execs_done)) return;
  SyncSnapshot snap = std::move(sync_.snap);
  sync_ = Sync{};
  ReconcileReport report = reconciler_.reconcile(snap, stats_.sessions);
  log::info(kTag,
            "client {} re-synced: {} positions ({} changed), {} missed executions, {} orders gone, "
            "{} adopted, {} confirmed",
            opts_.client_id, report.positions, report.position_changes.size(),
            report.missed_executions.size(), report.orders_gone.size(),
            report.orders_adopted.size(), report.orders_confirmed.size());
  backoff_.reset();
  set_state(degraded_ ? SessionState::kDegraded : SessionState::kReady, "re-sync done");
  if (handler_ != nullptr) handler_->on_reconciled(report);
}

void Connection::on_error_message(const ErrorMessage& e) {
  switch (e.code) {
    case 326:  // client id in use: the previous session is still being torn down
      ++stats_.client_id_in_use;
      log::warn(kTag, "client id {} in use; retrying the same id", opts_.client_id);
      drop(fmt::format("326 client id {} in use: {}", opts_.client_id, e.message),
           opts_.client_id_in_use_wait_ns);
      return;
    case 1300:  // socket port reset: this connection is being dropped
      drop(fmt::format("1300: {}", e.message));
      return;
    case 1100:
    case 2110:
      degraded_ = true;
      if (state_ == SessionState::kReady) {
        set_state(SessionState::kDegraded, fmt::format("{}: {}", e.code, e.message));
      }
      return;
    case 1101:  // restored, data lost: TWS dropped every market-data subscription
      degraded_ = false;
      ++stats_.resubscribe_1101;
      for (Subscription& s : subs_.all()) s.req_id = 0;
      replay_subscriptions("1101 restored, data lost");
      if (state_ == SessionState::kDegraded) set_state(SessionState::kReady, "1101: resubscribed");
      return;
    case 1102:  // restored, data maintained
      degraded_ = false;
      if (state_ == SessionState::kDegraded) set_state(SessionState::kReady, "1102: restored");
      return;
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

Result<SubId> Connection::subscribe(Subscription s) {
  SubId id = subs_.add(std::move(s));
  if (live_session()) {
    if (auto st = send_subscription(*subs_.get(id)); !st) {
      subs_.remove(id);
      return std::move(st).error();
    }
  }
  return id;
}

Status Connection::unsubscribe(SubId id) {
  Subscription removed;
  if (!subs_.remove(id, &removed)) return not_found(fmt::format("tws: no subscription {}", id));
  if (removed.req_id != 0 && encoder_ && live_session()) {
    std::string frame;
    HARRIER_TRY(encode_unsubscribe(*encoder_, frame, removed));
    HARRIER_TRY(queue_frame(std::move(frame)));
  }
  return ok();
}

Result<std::int64_t> Connection::place_order(const Contract& c, Order o) {
  std::string why;
  if (!can_send_orders(&why)) {
    ++stats_.orders_refused;
    return unavailable(fmt::format("tws: order '{}' not sent: {}", o.order_ref, why));
  }
  if (o.order_ref.empty()) {
    ++stats_.orders_refused;
    return invalid_input("tws: an order needs its client order id in orderRef");
  }
  if (reconciler_.ref_used(o.order_ref)) {
    ++stats_.orders_refused;
    return invalid_input(
        fmt::format("tws: orderRef '{}' was already used (duplicate order refused)", o.order_ref));
  }
  if (queue_.size() >= opts_.max_queued_frames) {
    ++stats_.orders_refused;
    return unavailable("tws: outgoing queue full");
  }
  if (o.account.empty()) o.account = opts_.account;
  // Encode with a placeholder id first so a malformed order burns no id.
  o.order_id = ids_.peek_next();
  std::string probe;
  HARRIER_TRY(encoder_->place_order(probe, c, o));
  auto allocated = ids_.allocate();
  if (!allocated) {
    ++stats_.orders_refused;
    return std::move(allocated).error().with_context(
        fmt::format("tws: order '{}' not sent", o.order_ref));
  }
  const std::int64_t id = *allocated;
  o.order_id = id;
  std::string frame;
  HARRIER_TRY(encoder_->place_order(frame, c, o));
  TrackedOrder t;
  t.order_id = id;
  t.order_ref = o.order_ref;
  t.symbol = c.symbol;
  t.action = o.action;
  t.total_quantity = o.total_quantity;
  reconciler_.track(std::move(t));
  HARRIER_TRY(queue_frame(std::move(frame), id, o.order_ref));
  ++stats_.orders_sent;
  return id;
}

Status Connection::cancel_order(std::int64_t order_id) {
  return send(
      [order_id](const Encoder& e, std::string& out) { return e.cancel_order(out, order_id); });
}

}  // namespace harrier::tws
