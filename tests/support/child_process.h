// A child process for tests that run the real `harrier` binary (STYLE B7): spawned with
// fork/exec, stdout and stderr to a log file, killed with SIGKILL and reaped by the destructor
// if still running, and dying with the test process (PR_SET_PDEATHSIG). Also `eventually`, the
// polling helper tests use instead of fixed sleeps. Not thread-safe: one owning thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace harrier::testing {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with argv; `env` entries ("K=V") are added to the environment.
  ChildProcess(const std::vector<std::string>& argv, std::string log_path,
               const std::vector<std::string>& env = {});
  // The same with stderr to its own file (output() reads `log_path`, stdout's).
  ChildProcess(const std::vector<std::string>& argv, std::string log_path, std::string err_path,
               const std::vector<std::string>& env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  // Waits up to timeout_ms; returns the exit code, 128+signal for a signal, nullopt on timeout.
  std::optional<int> wait(int timeout_ms);
  // The log so far.
  std::string output() const;
  const std::string& log_path() const { return log_; }

 private:
  void reap(int status);
  std::string log_;
  pid_t pid_ = -1;
  std::optional<int> exit_;
};

// Polls f every 2 ms until it returns true or timeout_ms passes; returns the last result.
template <typename F>
bool eventually(F f, int timeout_ms = 5000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool r = f();
  while (!r && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    r = f();
  }
  return r;
}

}  // namespace harrier::testing
