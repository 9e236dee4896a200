#include "roles/manager/process.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

extern char** environ;

namespace harrier::roles::manager {
namespace {

// The child's environment: the manager's, with every "K=" of `extra` replaced.
std::vector<std::string> child_env(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    bool replaced = false;
    for (const std::string& x : extra) {
      const std::size_t eq = x.find('=');
      if (kv.substr(0, eq + 1) == std::string_view(x).substr(0, eq + 1)) replaced = true;
    }
    if (!replaced) out.emplace_back(kv);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

void read_lines(int fd, std::string source, Console* console) {
  const std::string name = ("log-" + source).substr(0, 15);
  pthread_setname_np(pthread_self(), name.c_str());
  LineSplitter split;
  auto emit = [&](std::string_view line) { console->line(source, line); };
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    split.feed(std::string_view(buf, static_cast<std::size_t>(n)), emit);
  }
  split.finish(emit);
  ::close(fd);
}

const char* signal_name(int sig) {
  switch (sig) {
    case SIGKILL:
      return "SIGKILL";
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    default:
      return "signal";
  }
}

}  // namespace

Result<std::unique_ptr<Child>> Child::spawn(const SpawnOptions& opts, Console& console) {
  if (opts.argv.empty()) return invalid_input("spawn " + opts.source + ": no program");
  // Everything the child needs is built before fork: after fork only async-signal-safe calls.
  std::vector<char*> argv;
  for (const std::string& a : opts.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::vector<std::string> env = child_env(opts.env);
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  for (int c : opts.cpus) CPU_SET(c, &cpus);
  const std::string exec_failed = "harrier up: cannot execute " + opts.argv[0] + "\n";
  const pid_t manager_pid = ::getpid();

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return io_error("spawn " + opts.source + ": pipe: " + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return io_error("spawn " + opts.source + ": fork: " + std::strerror(err));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != manager_pid) ::_exit(1);  // the manager died before prctl
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!opts.cpus.empty() && ::sched_setaffinity(0, sizeof cpus, &cpus) != 0) {
      static const char kMsg[] = "harrier up: sched_setaffinity failed\n";
      (void)!::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
      ::_exit(126);
    }
    ::execve(argv[0], argv.data(), envp.data());
    (void)!::write(STDERR_FILENO, exec_failed.data(), exec_failed.size());
    ::_exit(127);
  }
  ::close(fds[1]);
  std::unique_ptr<Child> c(new Child());
  c->source_ = opts.source;
  c->pid_ = pid;
  c->reader_ = std::thread(read_lines, fds[0], opts.source, &console);
  return c;
}

Child::~Child() {
  if (!exited()) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (reader_.joinable()) reader_.join();
}

bool Child::exited() {
  if (exit_code_) return true;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r != pid_) return false;
  if (WIFEXITED(status)) {
    exit_code_ = WEXITSTATUS(status);
  } else {
    term_signal_ = WTERMSIG(status);
    exit_code_ = 128 + term_signal_;
  }
  return true;
}

std::string Child::exit_text() const {
  if (!exit_code_) return "running";
  if (term_signal_ != 0) {
    return "killed by signal " + std::to_string(term_signal_) + " (" + signal_name(term_signal_) +
           ")";
  }
  return "exit code " + std::to_string(*exit_code_);
}

void Child::signal(int sig) {
  if (!exited()) ::kill(pid_, sig);
}

bool Child::wait_exit_ms(std::int64_t timeout_ms, bool (*abort)(void*), void* arg) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!exited()) {
    if (std::chrono::steady_clock::now() >= deadline || abort(arg)) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace harrier::roles::manager
