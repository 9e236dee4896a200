// A non-blocking TCP socket for the TWS connection: a move-only owner of one fd (closed in the
// destructor, fmt os.h style), a non-blocking connect, and reads/writes that never block.
// The host is resolved with getaddrinfo (numeric or a name); tests only ever use 127.0.0.1.
// Owned by one thread (the connection's poll loop); not thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace harrier::tws {

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) noexcept : fd_(fd) {}
  ~Socket() { close(); }
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // Starts a non-blocking connect to host:port. The socket is returned at once; the connect
  // finishes later (poll_connected). kUnavailable naming host:port when it fails at once
  // (resolution failure, no route, refused on loopback).
  static Result<Socket> connect_nonblocking(const std::string& host, int port);

  // True once the connect finished, false while in progress; kUnavailable naming the errno
  // when it failed (ECONNREFUSED...).
  Result<bool> poll_connected();

  // Reads up to `cap` bytes into `buf`. Returns the count (0: nothing available now);
  // kUnavailable "connection closed by peer" on EOF, or naming the errno.
  Result<std::size_t> read_some(char* buf, std::size_t cap);
  // Writes as much of `bytes` as the kernel takes now; returns the count (0: buffer full).
  Result<std::size_t> write_some(std::string_view bytes);

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  void close() noexcept;

 private:
  int fd_ = -1;
};

// Sets O_NONBLOCK (and TCP_NODELAY for TCP sockets); kIo naming the errno on failure.
Status set_nonblocking(int fd);

}  // namespace harrier::tws
