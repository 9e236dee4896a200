// The private redis-server `harrier up` starts when redis.url is empty: a unix socket
// <run_dir>/redis.sock (mode 700, no TCP port), persistence off (`save ""`, no AOF) unless
// manager.redis_persistence, its data directory the run directory. Its output goes to the
// console as "redis". It is the first process started and the last stopped.
// Owned by the manager's main thread.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "core/result.h"
#include "roles/manager/console.h"
#include "roles/manager/process.h"

namespace harrier::roles::manager {

class PrivateRedis {
 public:
  // Writes <run_dir>/redis.conf, starts `server_path` on it and waits up to timeout_ms for
  // PING. kUnavailable when it exits or does not answer (its output is on the console).
  static Result<std::unique_ptr<PrivateRedis>> start(const std::string& server_path,
                                                     const std::string& run_dir, bool persistence,
                                                     std::int64_t timeout_ms, Console& console);

  std::string url() const { return "unix:" + socket_; }
  const std::string& socket_path() const { return socket_; }
  Child& child() { return *child_; }

  // SIGTERM (Redis saves first when persistence is on), SIGKILL after grace_ms. Returns what
  // happened ("exit code 0").
  std::string stop(std::int64_t grace_ms);

 private:
  PrivateRedis() = default;
  std::string socket_;
  std::unique_ptr<Child> child_;
};

}  // namespace harrier::roles::manager
