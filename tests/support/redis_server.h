// A private redis-server for tests and benchmarks (after hiredis test.sh and kvrocks
// tests/gocase/util/server.go). start() writes a config into a fresh mkdtemp directory
// (`save ""`, `appendonly no`, bind 127.0.0.1 on a free port and/or a unix socket in that
// directory, optional ACL users), runs the Debian redis-server binary, and waits until it
// answers PING. The server is stopped by pid (SIGTERM, then SIGKILL) in stop() or the destructor,
// and it dies with the test process (PR_SET_PDEATHSIG). kill() + restart() bring it back on the
// same port and socket, for reconnect tests. Not thread-safe: one owning thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace harrier::testing {

struct RedisServerOptions {
  bool tcp = true;           // listen on 127.0.0.1:<free port>
  bool unix_socket = false;  // listen on <dir>/redis.sock
  // ACL rules, one user per string, in redis.conf `user` syntax without the keyword, e.g.
  // "reader on >secret ~bars:* +get". The default user stays enabled without a password.
  std::vector<std::string> acl_users;
  // Extra redis.conf lines ("maxmemory 64mb").
  std::vector<std::string> extra_config;
  int start_timeout_ms = 5000;
};

class RedisServer {
 public:
  // Starts a server; kUnavailable with the tail of its log when it does not come up.
  static Result<std::unique_ptr<RedisServer>> start(RedisServerOptions opts = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }                      // 0 when tcp is off
  std::string socket_path() const { return sock_path_; }  // "" when unix_socket is off
  // "tcp://127.0.0.1:PORT" when tcp is on, else "unix:PATH".
  std::string url() const;
  std::string unix_url() const { return "unix:" + sock_path_; }
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // SIGTERM, wait up to 5 s, then SIGKILL; ok when already stopped.
  Status stop();
  // SIGKILL and reap: a crash, as far as clients can tell.
  Status kill();
  // Starts the server again with the same port, socket and config (data is not kept).
  Status restart();

  // Sends one inline command ("FLUSHALL", "CONFIG SET ...") on a fresh connection and returns
  // the first reply line ("+OK", ":1", "-ERR ..."). For test set-up only.
  Result<std::string> raw_command(std::string_view inline_command) const;

 private:
  RedisServer() = default;
  Status spawn();
  Status wait_ready();
  std::string log_tail() const;

  RedisServerOptions opts_;
  std::string dir_, conf_path_, sock_path_, log_path_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close).
Result<int> free_loopback_port();

}  // namespace harrier::testing
