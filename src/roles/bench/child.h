// A child process of `harrier bench`: a role (the same binary, /proc/self/exe), the private
// redis-server, or gnuplot. Spawned with fork/exec, stdout and stderr to a log file, dying with
// the bench (PR_SET_PDEATHSIG), stopped by pid (SIGTERM, then SIGKILL after a grace) and reaped.
// The bench never signals anything it did not start. Owned by the bench's main thread.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace harrier::roles::bench {

class Child {
 public:
  // Starts argv[0] (a path, or a name looked up in PATH) with argv. kUnavailable when fork or
  // exec fails (the log file says why for exec).
  static Result<Child> spawn(const std::vector<std::string>& argv, const std::string& log_path);

  Child(Child&& o) noexcept;
  Child& operator=(Child&& o) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();  // SIGKILL and reap when still running

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_; }
  bool running();
  // Waits up to timeout_ms; the exit code, 128+signal for a signal, nullopt on timeout.
  std::optional<int> wait(int timeout_ms);
  // SIGTERM, wait up to grace_ms, then SIGKILL; returns the exit code (128+signal if killed).
  int stop(int grace_ms);
  // The last `bytes` of the log, for error messages.
  std::string log_tail(std::size_t bytes = 2000) const;

 private:
  Child() = default;
  void kill_and_reap() noexcept;
  std::string log_;
  pid_t pid_ = -1;
  std::optional<int> exit_;
};

}  // namespace harrier::roles::bench
