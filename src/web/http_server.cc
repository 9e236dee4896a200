#include "web/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>

#include "core/log.h"
#include "core/text.h"

namespace harrier::web {

namespace {

std::int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Milliseconds left until `deadline` for poll(), at least 0.
int ms_left(std::int64_t deadline) {
  const std::int64_t left = deadline - mono_ns();
  return left <= 0 ? 0 : static_cast<int>((left + kNsPerMs - 1) / kNsPerMs);
}

bool is_token_char(char c) { return c >= 'A' && c <= 'Z'; }
bool is_target_char(char c) { return c > ' ' && c < 0x7f; }

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text) {
  auto bad = [&](std::string why) {
    return invalid_input("listen address '" + std::string(text) + "': " + std::move(why) +
                         " (expected HOST:PORT, e.g. 127.0.0.1:9464)");
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("no ':PORT'");
  std::string host(text.substr(0, colon));
  if (host == "localhost") host = "127.0.0.1";
  in_addr a{};
  if (host.empty() || inet_pton(AF_INET, host.c_str(), &a) != 1) {
    return bad("host is not an IPv4 address");
  }
  auto port = text::parse_int(text.substr(colon + 1));
  if (!port || *port < 0 || *port > 65535) return bad("port is not a number in 0..65535");
  return ListenAddress{std::move(host), static_cast<int>(*port)};
}

bool is_loopback(const ListenAddress& addr) {
  in_addr a{};
  if (inet_pton(AF_INET, addr.host.c_str(), &a) != 1) return false;
  return (ntohl(a.s_addr) >> 24) == 127;
}

Result<HttpRequest> parse_request_head(std::string_view head) {
  const std::size_t eol = head.find('\n');
  std::string_view line = head.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  HttpRequest req;
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return invalid_input("request line is not 'METHOD TARGET VERSION'");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (method.empty() || method.size() > 16) return invalid_input("bad method length");
  for (char c : method) {
    if (!is_token_char(c)) return invalid_input("method holds a byte that is not A-Z");
  }
  if (target.empty() || target.front() != '/' || target.size() > 2048) {
    return invalid_input("target is not an absolute path");
  }
  for (char c : target) {
    if (!is_target_char(c)) return invalid_input("target holds a control byte or a space");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return invalid_input("version is not HTTP/1.0 or HTTP/1.1");
  }
  req.method = std::string(method);
  const std::size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
  req.version = std::string(version);

  // Header lines: checked for shape only; the server uses none of them.
  std::string_view rest = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 1);
  while (!rest.empty()) {
    const std::size_t e = rest.find('\n');
    std::string_view h = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e + 1);
    if (!h.empty() && h.back() == '\r') h.remove_suffix(1);
    if (h.empty()) break;  // end of the head
    for (char c : h) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
        return invalid_input("header line holds a control byte");
      }
    }
    const std::size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return invalid_input("header line without 'name:'");
    }
  }
  return req;
}

std::string_view status_text(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return status >= 500 ? "Internal Server Error" : "Error";
  }
}

std::string render_response(const HttpResponse& r, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " ";
  out += status_text(r.status);
  out += "\r\nContent-Type: " + r.content_type;
  out += "\r\nContent-Length: " + std::to_string(r.body.size());
  out += "\r\nConnection: close\r\n\r\n";
  if (!head_only) out += r.body;
  return out;
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const ListenAddress& addr,
                                                      std::vector<Route> routes,
                                                      HttpServerOptions opts) {
  const std::string where = addr.host + ":" + std::to_string(addr.port);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(addr.port));
  if (addr.port < 0 || addr.port > 65535 ||
      inet_pton(AF_INET, addr.host.c_str(), &sa.sin_addr) != 1) {
    return invalid_input("http: bad listen address " + where);
  }
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->routes_ = std::move(routes);
  s->opts_ = opts;
  s->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s->listen_fd_ < 0) return io_error("http: socket: " + std::string(std::strerror(errno)));
  int one = 1;
  ::setsockopt(s->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(s->listen_fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    return io_error("http: bind " + where + ": " + std::strerror(errno));
  }
  if (::listen(s->listen_fd_, 64) != 0) {
    return io_error("http: listen " + where + ": " + std::strerror(errno));
  }
  socklen_t len = sizeof sa;
  ::getsockname(s->listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  s->port_ = ntohs(sa.sin_port);
  s->wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (s->wake_fd_ < 0) return io_error("http: eventfd: " + std::string(std::strerror(errno)));
  HttpServer* self = s.get();
  s->thread_ = std::thread([self] {
    pthread_setname_np(pthread_self(), "http");
    self->run();
  });
  return s;
}

HttpServer::~HttpServer() {
  stop();
  close_fd(listen_fd_);
  close_fd(wake_fd_);
}

void HttpServer::stop() {
  if (!thread_.joinable()) return;
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  thread_.join();
}

void HttpServer::run() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      log::error("http", "poll: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;  // EAGAIN, ECONNABORTED, EMFILE...: nothing to serve now
    serve(fd);
    ::close(fd);
  }
}

HttpResponse HttpServer::respond(std::string_view head, bool* head_only) {
  auto req = parse_request_head(head);
  if (!req) {
    stats_.bad_requests.fetch_add(1, std::memory_order_relaxed);
    return {400, "text/plain; charset=utf-8", "bad request: " + req.error().message() + "\n"};
  }
  if (req->method != "GET" && req->method != "HEAD") {
    stats_.bad_requests.fetch_add(1, std::memory_order_relaxed);
    return {405, "text/plain; charset=utf-8", "only GET and HEAD\n"};
  }
  *head_only = req->method == "HEAD";
  for (const Route& r : routes_) {
    if (r.path != req->path) continue;
    try {
      return r.handler(*req);
    } catch (const std::exception& e) {
      log::error("http", "handler for {} failed: {}", r.path, e.what());
      return {500, "text/plain; charset=utf-8", "internal error\n"};
    }
  }
  return {404, "text/plain; charset=utf-8", "not found\n"};
}

void HttpServer::serve(int fd) {
  std::string buf;
  buf.reserve(1024);
  const std::int64_t deadline = mono_ns() + opts_.read_timeout_ns;
  HttpResponse resp;
  bool head_only = false;
  char chunk[2048];
  for (;;) {
    std::size_t end = buf.find("\r\n\r\n");
    if (end == std::string::npos) end = buf.find("\n\n");
    if (end != std::string::npos) {
      resp = respond(std::string_view(buf).substr(0, end), &head_only);
      break;
    }
    if (buf.size() >= opts_.max_request_bytes) {
      stats_.bad_requests.fetch_add(1, std::memory_order_relaxed);
      resp = {431, "text/plain; charset=utf-8", "request head too large\n"};
      break;
    }
    pollfd p{fd, POLLIN, 0};
    const int left = ms_left(deadline);
    if (left == 0 || ::poll(&p, 1, left) == 0) {
      stats_.bad_requests.fetch_add(1, std::memory_order_relaxed);
      resp = {408, "text/plain; charset=utf-8", "request timeout\n"};
      break;
    }
    const std::size_t want = std::min(sizeof chunk, opts_.max_request_bytes - buf.size());
    const ssize_t n = ::recv(fd, chunk, want, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      // Closed before the head ended: answer 400 if anything came, else just close.
      if (buf.empty()) return;
      stats_.bad_requests.fetch_add(1, std::memory_order_relaxed);
      resp = {400, "text/plain; charset=utf-8", "incomplete request\n"};
      break;
    }
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  const std::string out = render_response(resp, head_only);
  const std::int64_t wdeadline = mono_ns() + opts_.write_timeout_ns;
  std::size_t off = 0;
  while (off < out.size()) {
    const ssize_t n = ::send(fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd p{fd, POLLOUT, 0};
      const int left = ms_left(wdeadline);
      if (left == 0 || ::poll(&p, 1, left) <= 0) break;
      continue;
    }
    break;  // peer gone
  }
  stats_.requests.fetch_add(1, std::memory_order_relaxed);
  // Half-close and drain briefly so the client reads the response rather than a reset when it
  // sent more than we read (oversized requests).
  ::shutdown(fd, SHUT_WR);
  const std::int64_t drain_deadline = mono_ns() + 100 * kNsPerMs;
  for (int i = 0; i < 64; ++i) {
    pollfd p{fd, POLLIN, 0};
    const int left = ms_left(drain_deadline);
    if (left == 0 || ::poll(&p, 1, left) <= 0) break;
    if (::recv(fd, chunk, sizeof chunk, 0) <= 0) break;
  }
}

}  // namespace harrier::web
