#include "bus/connection.h"

#include <hiredis/hiredis.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>

namespace harrier::bus {

// ============================================================================================
// Endpoint and password
// ============================================================================================

Result<Endpoint> parse_url(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return invalid_input("redis url '" + std::string(url) + "': " + std::string(why) +
                         " (expected tcp://HOST:PORT or unix:/PATH)");
  };
  Endpoint ep;
  if (url.starts_with("unix:")) {
    ep.kind = Endpoint::Kind::kUnix;
    ep.path = std::string(url.substr(5));
    if (ep.path.starts_with("//")) ep.path.erase(0, 2);  // unix:///path
    if (ep.path.empty() || ep.path[0] != '/') return bad("socket path must be absolute");
    if (ep.path.size() >= 108) return bad("socket path longer than 107 bytes");
    return ep;
  }
  if (!url.starts_with("tcp://")) return bad("unknown scheme");
  std::string_view rest = url.substr(6);
  std::string_view host;
  std::string_view port;
  if (rest.starts_with("[")) {  // [::1]:6379
    auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      return bad("bad bracketed host");
    }
    host = rest.substr(1, close - 1);
    port = rest.substr(close + 2);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return bad("missing port");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return bad("empty host");
  int p = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || end != port.data() + port.size() || p < 1 || p > 65535) {
    return bad("port must be 1..65535");
  }
  ep.host = std::string(host);
  ep.port = p;
  return ep;
}

Result<std::string> resolve_password(const ConnectionConfig& cfg) {
  if (!cfg.password_env.empty() && !cfg.password_file.empty()) {
    return invalid_input("redis: set either password_env or password_file, not both");
  }
  if (!cfg.password_env.empty()) {
    const char* v = std::getenv(cfg.password_env.c_str());
    if (v == nullptr || *v == '\0') {
      return invalid_input("redis: password environment variable '" + cfg.password_env +
                           "' is not set or empty");
    }
    return std::string(v);
  }
  if (!cfg.password_file.empty()) {
    std::ifstream in(cfg.password_file, std::ios::binary);
    std::string line;
    if (!in || !std::getline(in, line)) {
      return invalid_input("redis: cannot read password file '" + cfg.password_file + "'");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      return invalid_input("redis: password file '" + cfg.password_file + "' is empty");
    }
    return line;
  }
  return std::string();
}

// ============================================================================================
// Commands and messages
// ============================================================================================

namespace {

void append_printable(std::string& out, std::string_view s, std::size_t limit) {
  for (std::size_t i = 0; i < s.size() && i < limit; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  if (s.size() > limit) out += "...";
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

}  // namespace

std::string describe_command(std::span<const std::string_view> args) {
  std::string out;
  if (args.empty()) return out;
  append_printable(out, args[0], 32);
  auto show = [&](std::size_t i) {
    if (i < args.size()) {
      out.push_back(' ');
      append_printable(out, args[i], 96);
    }
  };
  std::string_view name = args[0];
  if (iequals(name, "AUTH") || iequals(name, "HELLO")) return out;  // never the password
  // Commands with a subcommand name it first: XGROUP CREATE key, XINFO GROUPS key.
  for (std::string_view sub : {"XGROUP", "XINFO", "OBJECT", "MEMORY", "CLIENT", "CONFIG", "ACL",
                               "SCRIPT", "FUNCTION", "DEBUG"}) {
    if (iequals(name, sub)) {
      show(1);
      if (!iequals(name, "ACL") || (args.size() > 1 && !iequals(args[1], "SETUSER"))) show(2);
      return out;
    }
  }
  // Scripts: EVAL script numkeys key ... names the first key, not the script text.
  if (iequals(name, "EVAL") || iequals(name, "EVALSHA") || iequals(name, "FCALL")) {
    if (args.size() > 3 && args[2] != "0") show(3);
    return out;
  }
  // Stream reads name their key after STREAMS.
  if (iequals(name, "XREAD") || iequals(name, "XREADGROUP")) {
    for (std::size_t i = 1; i + 1 < args.size(); ++i) {
      if (iequals(args[i], "STREAMS")) {
        show(i + 1);
        break;
      }
    }
    return out;
  }
  show(1);
  return out;
}

void CommandBatch::add(std::initializer_list<std::string_view> args) {
  add(std::span<const std::string_view>(args.begin(), args.size()));
}

void CommandBatch::add(std::span<const std::string_view> args) {
  begin();
  for (auto a : args) arg(a);
}

void CommandBatch::begin() { starts_.push_back(ptrs_.size()); }

void CommandBatch::arg(std::string_view a) {
  ptrs_.push_back(a.data());
  lens_.push_back(a.size());
  gather_.push_back(0);
}

void CommandBatch::arg_pieces(const PieceSource& source) {
  const std::size_t first = pieces_.size();
  source.append_pieces(pieces_);
  ptrs_.push_back("<pieces>");
  lens_.push_back(source.size());
  gathers_.emplace_back(first, pieces_.size() - first);
  gather_.push_back(static_cast<std::uint32_t>(gathers_.size()));
}

std::span<const std::string_view> CommandBatch::pieces(std::size_t i, std::size_t k) const {
  const std::uint32_t g = gather_[starts_[i] + k];
  if (g == 0) return {};
  const auto [first, count] = gathers_[g - 1];
  return {pieces_.data() + first, count};
}

void CommandBatch::clear() {
  ptrs_.clear();
  lens_.clear();
  starts_.clear();
  gather_.clear();
  gathers_.clear();
  pieces_.clear();
}

std::size_t CommandBatch::argc(std::size_t i) const {
  std::size_t end = i + 1 < starts_.size() ? starts_[i + 1] : ptrs_.size();
  return end - starts_[i];
}

std::string CommandBatch::describe(std::size_t i) const {
  std::vector<std::string_view> parts(argc(i));
  for (std::size_t k = 0; k < parts.size(); ++k) {
    parts[k] = pieces(i, k).empty() ? std::string_view(argv(i)[k], argvlen(i)[k]) : "<pieces>";
  }
  return describe_command(parts);
}

Status check_reply(const ReplyView& r, const CommandBatch& batch, std::size_t i) {
  if (!r.is_error()) return ok();
  return check_reply(r, batch.describe(i));
}

Status check_reply(const ReplyView& r, std::string_view what) {
  if (!r.is_error()) return ok();
  std::string_view text = r.text();
  std::string_view word = text.substr(0, text.find(' '));
  std::string msg = "redis " + std::string(what) + ": ";
  append_printable(msg, text, 400);
  for (std::string_view transient : {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"}) {
    if (word == transient) return unavailable(std::move(msg));
  }
  return invalid_input(std::move(msg));
}

// ============================================================================================
// Reader limits: hiredis builds replies through a table of functions; we wrap createArray so
// an announced array larger than the limit is refused before hiredis allocates it.
// ============================================================================================

struct ReaderGuard {
  std::size_t max_elements = 0;
  bool refused = false;  // createArray refused an announced array
  long long refused_elements = 0;
  bool too_big = false;  // the bytes buffered for one reply passed max_reply_bytes
};

namespace {

redisReplyObjectFunctions g_base_fns;
redisReplyObjectFunctions g_guarded_fns;
std::once_flag g_fns_once;

void* guarded_create_array(const redisReadTask* task, int elements) {
  auto* g = static_cast<ReaderGuard*>(task->privdata);
  if (g != nullptr && (elements < 0 || static_cast<std::size_t>(elements) > g->max_elements)) {
    g->refused = true;
    g->refused_elements = elements;
    return nullptr;  // hiredis reports an OOM error and stops reading
  }
  return g_base_fns.createArray(task, elements);
}

timeval to_timeval(DurationNs ns) {
  ns = std::max<DurationNs>(ns, kNsPerMs);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ns / kNsPerSec);
  tv.tv_usec = static_cast<suseconds_t>((ns % kNsPerSec) / kNsPerUs);
  return tv;
}

}  // namespace

void Connection::CtxFree::operator()(redisContext* c) const noexcept { redisFree(c); }

Connection::Connection(ConnectionConfig cfg, const Clock& clock)
    : cfg_(std::move(cfg)), clock_(clock), backoff_(cfg_.backoff), guard_(new ReaderGuard) {
  guard_->max_elements = cfg_.max_array_elements;
}

Connection::~Connection() = default;

void Connection::disconnect() {
  if (ctx_) ++stats_.disconnects;
  ctx_.reset();
}

DurationNs Connection::retry_in_ns() const {
  if (ctx_) return 0;
  return std::max<DurationNs>(0, next_attempt_mono_ns_ - clock_.mono_ns());
}

Status Connection::connect() { return ensure_connected(); }

Status Connection::ensure_connected() {
  if (ctx_) return ok();
  DurationNs wait = retry_in_ns();
  if (wait > 0) {
    return unavailable("redis " + cfg_.url + ": down, next reconnect attempt in " +
                       std::to_string(wait / kNsPerMs) + " ms (" +
                       std::to_string(backoff_.failures()) + " failures)");
  }
  Status s = open();
  if (!s) {
    ++stats_.connect_failures;
    ctx_.reset();
    next_attempt_mono_ns_ = clock_.mono_ns() + backoff_.next_delay();
    return s;
  }
  ++stats_.connects;
  backoff_.reset();
  return ok();
}

Status Connection::open() {
  HARRIER_ASSIGN_OR_RETURN(Endpoint ep, parse_url(cfg_.url));
  HARRIER_ASSIGN_OR_RETURN(std::string password, resolve_password(cfg_));
  timeval tv = to_timeval(cfg_.connect_timeout_ns);
  redisContext* raw = ep.kind == Endpoint::Kind::kTcp
                          ? redisConnectWithTimeout(ep.host.c_str(), ep.port, tv)
                          : redisConnectUnixWithTimeout(ep.path.c_str(), tv);
  std::unique_ptr<redisContext, CtxFree> c(raw);
  if (!c) return unavailable("redis " + cfg_.url + ": cannot allocate a context");
  if (c->err != 0) {
    return unavailable("redis " + cfg_.url + ": connect failed: " + std::string(c->errstr));
  }
  std::call_once(g_fns_once, [&] {
    g_base_fns = *c->reader->fn;
    g_guarded_fns = g_base_fns;
    g_guarded_fns.createArray = &guarded_create_array;
  });
  c->reader->fn = &g_guarded_fns;
  c->reader->privdata = guard_.get();
  *guard_ = ReaderGuard{cfg_.max_array_elements, false, 0, false};
  ctx_ = std::move(c);
  timeout_set_ns_ = -1;
  HARRIER_TRY(set_timeout(cfg_.command_timeout_ns));

  if (!password.empty()) {
    std::string_view user_args[] = {"AUTH", cfg_.user, password};
    std::string_view pass_args[] = {"AUTH", password};
    auto args = cfg_.user.empty() ? std::span<const std::string_view>(pass_args)
                                  : std::span<const std::string_view>(user_args);
    auto r = command(args);
    password.assign(password.size(), '\0');
    if (!r) {
      ctx_.reset();
      return Error(r.error()).with_context("redis " + cfg_.url + ": AUTH as user '" +
                                           (cfg_.user.empty() ? "default" : cfg_.user) + "'");
    }
  }
  if (!cfg_.client_name.empty()) {
    auto r = command({"CLIENT", "SETNAME", cfg_.client_name});
    if (!r) {
      ctx_.reset();
      return std::move(r).error();
    }
  }
  return ok();
}

Status Connection::set_timeout(DurationNs ns) {
  if (ns == timeout_set_ns_) return ok();
  if (redisSetTimeout(ctx_.get(), to_timeval(ns)) != REDIS_OK) {
    std::string_view args[] = {"(set socket timeout)"};
    return fail(What{args});
  }
  timeout_set_ns_ = ns;
  return ok();
}

std::string Connection::What::text() const {
  if (batch != nullptr) return batch->describe(index);
  return describe_command(args);
}

Error Connection::fail(const What& what) {
  int saved_errno = errno;
  std::string msg = "redis " + cfg_.url + ": " + what.text() + ": ";
  ErrorCode code = ErrorCode::kUnavailable;
  if (guard_->refused) {
    code = ErrorCode::kProtocol;
    msg += "reply array of " + std::to_string(guard_->refused_elements) +
           " elements exceeds the limit of " + std::to_string(cfg_.max_array_elements);
  } else if (guard_->too_big) {
    code = ErrorCode::kProtocol;
    msg += "reply larger than the limit of " + std::to_string(cfg_.max_reply_bytes) + " bytes";
  } else if (!ctx_) {
    msg += "not connected";
  } else {
    switch (ctx_->err) {
      case REDIS_ERR_PROTOCOL:
      case REDIS_ERR_OOM:
        code = ErrorCode::kProtocol;
        msg += "bad reply: ";
        break;
      case REDIS_ERR_EOF:
        msg += "connection closed: ";
        break;
      case REDIS_ERR_IO:
        if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK) msg += "timeout: ";
        break;
      default:
        break;
    }
    msg += ctx_->errstr;
  }
  msg += " (connection dropped)";
  if (ctx_) ++stats_.disconnects;
  ctx_.reset();
  *guard_ = ReaderGuard{cfg_.max_array_elements, false, 0, false};
  next_attempt_mono_ns_ = clock_.mono_ns() + backoff_.next_delay();
  return Error(code, std::move(msg));
}

Status Connection::send_pending(const What& what) {
  int done = 0;
  do {
    if (redisBufferWrite(ctx_.get(), &done) != REDIS_OK) return fail(what);
  } while (done == 0);
  return ok();
}

Result<Reply> Connection::read_reply(const What& what) {
  redisContext* c = ctx_.get();
  void* r = nullptr;
  for (;;) {
    if (redisGetReplyFromReader(c, &r) != REDIS_OK) return fail(what);
    if (r != nullptr) break;
    if (c->reader->len - c->reader->pos > cfg_.max_reply_bytes) {
      guard_->too_big = true;
      return fail(what);
    }
    errno = 0;
    if (redisBufferRead(c) != REDIS_OK) return fail(what);
  }
  return Reply(static_cast<redisReply*>(r));
}

Result<Reply> Connection::command(std::span<const std::string_view> args, DurationNs timeout_ns) {
  HARRIER_TRY(ensure_connected());
  constexpr std::size_t kInline = 16;
  const char* ptrs_inline[kInline];
  std::size_t lens_inline[kInline];
  std::vector<const char*> ptrs_heap;
  std::vector<std::size_t> lens_heap;
  const char** ptrs = ptrs_inline;
  std::size_t* lens = lens_inline;
  if (args.size() > kInline) {
    ptrs_heap.resize(args.size());
    lens_heap.resize(args.size());
    ptrs = ptrs_heap.data();
    lens = lens_heap.data();
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    ptrs[i] = args[i].data();
    lens[i] = args[i].size();
  }
  What what{args};
  if (redisAppendCommandArgv(ctx_.get(), static_cast<int>(args.size()), ptrs, lens) != REDIS_OK) {
    return fail(what);
  }
  ++stats_.commands;
  HARRIER_TRY(set_timeout(timeout_ns > 0 ? timeout_ns : cfg_.command_timeout_ns));
  HARRIER_TRY(send_pending(what));
  HARRIER_ASSIGN_OR_RETURN(Reply reply, read_reply(what));
  if (reply.view().is_error()) return Error(check_reply(reply.view(), what.text()).error());
  return reply;
}

namespace {

void append_decimal(std::string& out, char prefix, std::size_t n) {
  char buf[24];
  buf[0] = prefix;
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  (void)ec;  // 20 digits always fit
  *end++ = '\r';
  *end++ = '\n';
  out.append(buf, static_cast<std::size_t>(end - buf));
}

}  // namespace

void append_resp(std::string& out, const CommandBatch& batch, std::size_t i) {
  const std::size_t argc = batch.argc(i);
  append_decimal(out, '*', argc);
  for (std::size_t k = 0; k < argc; ++k) {
    const std::size_t len = batch.argvlen(i)[k];
    append_decimal(out, '$', len);
    const auto pieces = batch.pieces(i, k);
    if (pieces.empty()) {
      out.append(batch.argv(i)[k], len);
    } else {
      for (std::string_view p : pieces) out.append(p);
    }
    out.append("\r\n", 2);
  }
}

void frame_pipeline(const CommandBatch& batch, std::size_t borrow_min, std::string& wire,
                    std::vector<WirePiece>& pieces) {
  wire.clear();
  pieces.clear();
  std::size_t start = 0;  // wire bytes not yet in a piece begin here
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::size_t argc = batch.argc(i);
    append_decimal(wire, '*', argc);
    for (std::size_t k = 0; k < argc; ++k) {
      const std::size_t len = batch.argvlen(i)[k];
      append_decimal(wire, '$', len);
      if (const auto gathered = batch.pieces(i, k); !gathered.empty()) {
        // Pieces of kBorrowPieceBytes or more go from where they are (a window's columns);
        // the smaller ones (a bitmap, the end-of-stream marker) are copied.
        for (std::string_view p : gathered) {
          if (p.size() >= kBorrowPieceBytes) {
            pieces.push_back({nullptr, start, wire.size() - start});
            pieces.push_back({p.data(), 0, p.size()});
            start = wire.size();
          } else {
            wire.append(p);
          }
        }
      } else if (len >= borrow_min) {
        pieces.push_back({nullptr, start, wire.size() - start});
        pieces.push_back({batch.argv(i)[k], 0, len});
        start = wire.size();
      } else {
        wire.append(batch.argv(i)[k], len);
      }
      wire.append("\r\n", 2);
    }
  }
  if (wire.size() > start) pieces.push_back({nullptr, start, wire.size() - start});
}

Status Connection::send_pieces(const What& what) {
  // hiredis' own formatter built each command in a fresh sds and copied it into its output
  // buffer (~45% of P1's IO thread, callgrind, 4 M ev/s). Handing it one RESP buffer still
  // copied each bar window twice per seal (into wire_, then into hiredis' buffer), and
  // hiredis sends a buffer larger than the socket's in pieces, moving the unsent rest to the
  // front after each (redisBufferWrite: sdsrange), so a pipeline cost time quadratic in its
  // size: 64 seals of 43 KB windows took 11.5 ms of CPU (bus_bench BM_SealPipeline). Here the
  // windows go from the caller's bytes to the socket in sendmsg's gather list, and a partial
  // send only advances the list: 0.9 ms for the same pipeline.
  std::vector<iovec>& iov = iov_;
  iov.clear();
  for (const WirePiece& p : pieces_) {
    if (p.len == 0) continue;
    const char* base = p.data != nullptr ? p.data : wire_.data() + p.offset;
    iov.push_back({const_cast<char*>(base), p.len});
  }
  std::size_t i = 0;
  while (i < iov.size()) {
    msghdr msg{};
    msg.msg_iov = iov.data() + i;
    msg.msg_iovlen = std::min<std::size_t>(iov.size() - i, IOV_MAX);
    const ssize_t n = ::sendmsg(ctx_->fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      // As hiredis does for a blocking context: EAGAIN is the send timeout, an error.
      const int e = errno;
      ctx_->err = REDIS_ERR_IO;
      std::snprintf(ctx_->errstr, sizeof ctx_->errstr, "%s", std::strerror(e));
      errno = e;
      return fail(what);
    }
    auto left = static_cast<std::size_t>(n);
    while (i < iov.size() && left >= iov[i].iov_len) left -= iov[i++].iov_len;
    if (left > 0) {
      iov[i].iov_base = static_cast<char*>(iov[i].iov_base) + left;
      iov[i].iov_len -= left;
    }
  }
  return ok();
}

Status Connection::run(const CommandBatch& batch, std::vector<Reply>& replies,
                       DurationNs timeout_ns) {
  replies.clear();
  HARRIER_TRY(ensure_connected());
  stats_.commands += batch.size();
  if (batch.size() == 0) return ok();
  HARRIER_TRY(set_timeout(timeout_ns > 0 ? timeout_ns : cfg_.command_timeout_ns));
  frame_pipeline(batch, kBorrowArgBytes, wire_, pieces_);
  // hiredis' output buffer is empty between calls (every call sends what it appends); sending
  // it first keeps the order should that ever change.
  HARRIER_TRY(send_pending(What{{}, &batch, 0}));
  HARRIER_TRY(send_pieces(What{{}, &batch, 0}));
  if (wire_.capacity() > (4u << 20)) std::string().swap(wire_);  // keep no huge buffer idle
  replies.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto r = read_reply(What{{}, &batch, i});
    if (!r) return std::move(r).error();
    replies.push_back(std::move(r).value());
  }
  return ok();
}

Result<DurationNs> Connection::ping() {
  std::int64_t t0 = clock_.mono_ns();
  HARRIER_ASSIGN_OR_RETURN(Reply r, command({"PING"}));
  HARRIER_TRY(expect_status(r.view(), "PONG"));
  DurationNs dt = clock_.mono_ns() - t0;
  ping_hist_.record(dt);
  return dt;
}

}  // namespace harrier::bus
