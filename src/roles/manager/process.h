// A child process of `harrier up` (a role or the private redis-server): fork + execve with its
// stdout and stderr on a pipe that a reader thread ("log-<source>") copies line by line to the
// Console. Before exec the child gets its own process group (a Ctrl-C on the terminal reaches
// only the manager, which then stops the children in order), dies with the manager
// (PR_SET_PDEATHSIG SIGTERM), closes every other descriptor, and is pinned to its CPUs
// (sched_setaffinity) when a CPU list is given.
// Thread-safety: a Child is owned by the manager's main thread; only the reader thread it
// starts touches the pipe, and it only calls the (thread-safe) Console.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "roles/manager/console.h"

namespace harrier::roles::manager {

struct SpawnOptions {
  std::string source;             // console and log-file name: "ingest", "redis"
  std::vector<std::string> argv;  // argv[0]: an absolute path
  std::vector<std::string> env;   // "K=V" added to (or replacing in) the manager's environment
  std::vector<int> cpus;          // empty: no pinning
};

class Child {
 public:
  // Starts the process. kIo naming the program when fork or pipe fails; an exec failure shows
  // up as exit code 127 with the reason on the console.
  static Result<std::unique_ptr<Child>> spawn(const SpawnOptions& opts, Console& console);
  // SIGKILL and reap when still running, then join the reader thread.
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& source() const { return source_; }
  // Reaps without blocking; true once the process has exited (then exit_code() is set).
  bool exited();
  // The exit code, or 128+signal when killed; nullopt while running.
  std::optional<int> exit_code() const { return exit_code_; }
  // "exit code 1" or "killed by signal 9 (SIGKILL)".
  std::string exit_text() const;
  // Sends `sig` unless the process has been reaped already.
  void signal(int sig);
  // Polls every 5 ms for up to timeout_ms; stops early when `abort()` turns true. True when
  // the process exited.
  template <typename Abort>
  bool wait_exit(std::int64_t timeout_ms, Abort&& abort);

 private:
  Child() = default;
  bool wait_exit_ms(std::int64_t timeout_ms, bool (*abort)(void*), void* arg);

  std::string source_;
  pid_t pid_ = -1;
  int term_signal_ = 0;
  std::optional<int> exit_code_;
  std::thread reader_;
};

template <typename Abort>
bool Child::wait_exit(std::int64_t timeout_ms, Abort&& abort) {
  return wait_exit_ms(
      timeout_ms, [](void* a) { return (*static_cast<std::remove_reference_t<Abort>*>(a))(); },
      &abort);
}

}  // namespace harrier::roles::manager
