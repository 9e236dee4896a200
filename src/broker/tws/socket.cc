#include "broker/tws/socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace harrier::tws {

Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

void Socket::close() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Status set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    return io_error(fmt::format("fcntl(O_NONBLOCK): {}", std::strerror(errno)));
  }
  int one = 1;
  // Not fatal for non-TCP fds; small frames must leave at once (orders, pacing measurements).
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return ok();
}

Result<Socket> Socket::connect_nonblocking(const std::string& host, int port) {
  const std::string where = fmt::format("tws connect {}:{}", host, port);
  if (port <= 0 || port > 65535) return invalid_input(where + ": port out of range");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) return unavailable(where + ": resolve: " + ::gai_strerror(rc));
  std::string last = "no address";
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!s.valid()) {
      last = std::strerror(errno);
      continue;
    }
    if (auto st = set_nonblocking(s.fd()); !st) {
      ::freeaddrinfo(res);
      return std::move(st).error().with_context(where);
    }
    if (::connect(s.fd(), ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS) {
      ::freeaddrinfo(res);
      return s;
    }
    last = std::strerror(errno);
  }
  ::freeaddrinfo(res);
  return unavailable(where + ": " + last);
}

Result<bool> Socket::poll_connected() {
  pollfd p{fd_, POLLOUT, 0};
  int rc = ::poll(&p, 1, 0);
  if (rc < 0) return unavailable(fmt::format("tws connect: poll: {}", std::strerror(errno)));
  if (rc == 0) return false;
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err != 0) return unavailable(fmt::format("tws connect: {}", std::strerror(err)));
  return true;
}

Result<std::size_t> Socket::read_some(char* buf, std::size_t cap) {
  for (;;) {
    ssize_t n = ::recv(fd_, buf, cap, 0);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n == 0) return unavailable("tws socket: connection closed by peer");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::size_t{0};
    return unavailable(fmt::format("tws socket: read: {}", std::strerror(errno)));
  }
}

Result<std::size_t> Socket::write_some(std::string_view bytes) {
  for (;;) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::size_t{0};
    return unavailable(fmt::format("tws socket: write: {}", std::strerror(errno)));
  }
}

}  // namespace harrier::tws
