#include "broker/tws/fake_tws.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "broker/tws/test_util.h"
#include "core/text.h"

namespace harrier::tws::testing {
namespace {

std::string num(double v) {
  std::string s;
  text::append_double(s, v);
  return s;
}

}  // namespace

int ClientFrame::id() const {
  if (fields.empty()) return -1;
  auto v = text::parse_int(fields[0]);
  return v ? static_cast<int>(*v) : -1;
}

std::string ClientFrame::pipes() const {
  std::string s;
  for (const auto& f : fields) {
    s += f;
    s += '|';
  }
  return s;
}

Result<std::unique_ptr<FakeTws>> FakeTws::start(FakeTwsOptions opts) {
  std::unique_ptr<FakeTws> f(new FakeTws());
  f->opts_ = std::move(opts);
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return io_error(fmt::format("fake tws: socket: {}", std::strerror(errno)));
  int one = 1;
  (void)::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(s.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(s.fd(), 8) != 0) {
    return io_error(fmt::format("fake tws: bind/listen: {}", std::strerror(errno)));
  }
  socklen_t len = sizeof(addr);
  if (::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return io_error(fmt::format("fake tws: getsockname: {}", std::strerror(errno)));
  }
  HARRIER_TRY(set_nonblocking(s.fd()));
  f->port_ = ntohs(addr.sin_port);
  f->listener_ = std::move(s);
  return f;
}

FakeTws::~FakeTws() = default;

int FakeTws::do_work() {
  int work = 0;
  const std::size_t before = received_.size();
  accept_client();
  if (client_.valid()) read_client();
  if (client_.valid()) flush();
  work += static_cast<int>(received_.size() - before);
  return work;
}

void FakeTws::accept_client() {
  int fd = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  Socket s(fd);
  if (!set_nonblocking(fd)) return;
  client_ = std::move(s);  // a new client replaces an old one
  ++connections_;
  hello_prefix_seen_ = version_seen_ = api_started_ = false;
  prefix_.clear();
  splitter_ = FrameSplitter();
  out_.clear();
}

void FakeTws::drop_client() {
  client_.close();
  api_started_ = false;
}

void FakeTws::read_client() {
  char buf[16384];
  for (;;) {
    auto n = client_.read_some(buf, sizeof(buf));
    if (!n) {
      drop_client();
      return;
    }
    if (*n == 0) return;
    std::string_view data(buf, *n);
    if (!hello_prefix_seen_) {
      std::size_t take = std::min<std::size_t>(4 - prefix_.size(), data.size());
      prefix_.append(data.substr(0, take));
      data.remove_prefix(take);
      if (prefix_.size() < 4) continue;
      if (prefix_ != std::string_view("API\0", 4)) {
        drop_client();
        return;
      }
      hello_prefix_seen_ = true;
    }
    splitter_.feed(data);
    for (;;) {
      auto next = splitter_.next();
      if (!next) {
        drop_client();
        return;
      }
      if (!next->has_value()) break;
      on_frame(**next);
      if (!client_.valid()) return;
    }
  }
}

void FakeTws::on_frame(std::string_view payload) {
  const std::int64_t now = (opts_.clock ? *opts_.clock : SystemClock::instance()).mono_ns();
  if (!version_seen_) {
    // The version range ("v100..193"), not NUL-terminated; answer with one frame.
    version_seen_ = true;
    received_.push_back({now, connections_, {std::string(payload)}});
    queue(fmt::format("{}|20250101 12:00:00 EST|", opts_.server_version));
    return;
  }
  ClientFrame f{now, connections_, {}};
  std::size_t start = 0;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    if (payload[i] == '\0') {
      f.fields.emplace_back(payload.substr(start, i - start));
      start = i + 1;
    }
  }
  received_.push_back(f);
  const auto field = [&](std::size_t i) -> std::string {
    return i < f.fields.size() ? f.fields[i] : std::string();
  };
  switch (f.id()) {
    case 71: {  // startApi
      client_id_ = static_cast<std::int32_t>(text::parse_int(field(2)).value_or(0));
      if (opts_.client_id_in_use_times > 0) {
        --opts_.client_id_in_use_times;
        queue(
            "4|2|-1|326|Unable to connect as the client id is already in use. Retry with a "
            "unique client id.||");
        flush();
        drop_client();
        return;
      }
      api_started_ = true;
      queue(fmt::format("15|1|{}|", opts_.accounts));
      queue(fmt::format("9|1|{}|", opts_.next_valid_id));
      queue("4|2|-1|2104|Market data farm connection is OK:usfarm||");
      return;
    }
    case 49:  // reqCurrentTime
      if (opts_.answer_current_time) queue("49|1|1735732800|");
      return;
    case 61:  // reqPositions
      for (const auto& [sym, qty] : positions_) {
        queue(fmt::format("61|3|{}|{}|{}|STK||0.0|||NASDAQ|USD|{}|NMS|{}|100|", opts_.accounts, 0,
                          sym, sym, num(qty)));
      }
      queue("62|1|");
      return;
    case 5:  // reqOpenOrders
      for (const auto& [id, o] : orders_) {
        if (o.open) queue(open_order_frame(o));
      }
      queue("53|1|");
      return;
    case 7: {  // reqExecutions: 7|3|reqId|...
      std::string req = field(2);
      for (const auto& e : executions_) queue(execution_frame(e, req));
      queue(fmt::format("55|1|{}|", req));
      return;
    }
    case 3: {  // placeOrder at sv >= 145: no version; field 2 orderId, 4 symbol, 17 action...
      FakeOrder o;
      o.order_id = text::parse_int(field(1)).value_or(0);
      o.symbol = field(3);
      o.action = field(16);
      o.quantity = text::parse_double(field(17)).value_or(0);
      o.order_ref = field(26);
      o.perm_id = next_perm_id_++;
      orders_[o.order_id] = o;
      if (opts_.ack_orders) {
        queue(open_order_frame(o));
        queue(order_status_frame(o, 0));
      }
      return;
    }
    case 4: {  // cancelOrder at sv >= 192: 4|orderId|...
      std::int64_t id = text::parse_int(field(1)).value_or(0);
      auto it = orders_.find(id);
      if (it != orders_.end() && it->second.open) {
        it->second.open = false;
        queue(fmt::format("3|{}|Cancelled|{}|{}|{}|{}|0|0|{}||0|", id, num(it->second.filled),
                          num(it->second.quantity - it->second.filled), num(it->second.avg_price),
                          it->second.perm_id, client_id_));
      }
      return;
    }
    default:
      return;
  }
}

void FakeTws::fill(std::int64_t order_id, double qty, double price) {
  auto it = orders_.find(order_id);
  if (it == orders_.end()) return;
  FakeOrder& o = it->second;
  o.avg_price = (o.avg_price * o.filled + price * qty) / (o.filled + qty);
  o.filled += qty;
  if (o.filled >= o.quantity) o.open = false;
  FakeExecution e;
  e.order_id = order_id;
  e.exec_id = fmt::format("0000e{:04}.01.01", next_exec_++);
  e.symbol = o.symbol;
  e.side = o.action == "BUY" ? "BOT" : "SLD";
  e.shares = qty;
  e.price = price;
  e.cum_qty = o.filled;
  e.avg_price = o.avg_price;
  e.order_ref = o.order_ref;
  e.perm_id = o.perm_id;
  executions_.push_back(e);
  positions_[o.symbol] += o.action == "BUY" ? qty : -qty;
  if (session_up()) {
    queue(execution_frame(e, "-1"));
    queue(order_status_frame(o, price));
    flush();
  }
}

std::string FakeTws::open_order_frame(const FakeOrder& o) const {
  return fmt::format("5|{}|0|{}|STK|||||SMART|USD|{}||{}|{}|LMT|100||DAY||{}||0|{}|{}|{}|",
                     o.order_id, o.symbol, o.symbol, o.action, num(o.quantity), opts_.accounts,
                     o.order_ref, client_id_, o.perm_id);
}

std::string FakeTws::order_status_frame(const FakeOrder& o, double last_price) const {
  const char* status = o.open ? "Submitted" : "Filled";
  return fmt::format("3|{}|{}|{}|{}|{}|{}|0|{}|{}||0|", o.order_id, status, num(o.filled),
                     num(o.quantity - o.filled), num(o.avg_price), o.perm_id, num(last_price),
                     client_id_);
}

std::string FakeTws::execution_frame(const FakeExecution& e, std::string_view req_id) const {
  return fmt::format(
      "11|{}|{}|0|{}|STK||0.0|||ISLAND|USD|{}|NMS|{}|20250101  14:30:00|{}|ISLAND|{}|{}|{}|{}|{}|"
      "0|{}|{}|{}||||2||",
      req_id, e.order_id, e.symbol, e.symbol, e.exec_id, opts_.accounts, e.side, num(e.shares),
      num(e.price), e.perm_id, client_id_, num(e.cum_qty), num(e.avg_price), e.order_ref);
}

void FakeTws::send(std::string_view pipes) {
  queue(pipes);
  flush();
}

void FakeTws::send_raw(std::string_view bytes) {
  if (!client_.valid()) return;
  out_.append(bytes);
  flush();
}

void FakeTws::queue(std::string_view pipes) {
  if (!client_.valid()) return;
  append_frame(out_, tws::testing::payload(pipes));
}

void FakeTws::flush() {
  while (client_.valid() && !out_.empty()) {
    auto n = client_.write_some(out_);
    if (!n) {
      drop_client();
      return;
    }
    if (*n == 0) return;  // the rest next do_work
    out_.erase(0, *n);
  }
}

std::vector<ClientFrame> FakeTws::received_with_id(int id) const {
  std::vector<ClientFrame> out;
  for (const auto& f : received_) {
    if (f.id() == id) out.push_back(f);
  }
  return out;
}

}  // namespace harrier::tws::testing
