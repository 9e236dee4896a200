#include "support/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace harrier::testing {

namespace {

std::string find_redis_server() {
  for (const char* p : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return {};
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Connects to the server's TCP port or socket; -1 on failure.
int connect_to(int port, const std::string& sock_path) {
  if (port > 0) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, sock_path.c_str(), sizeof(a.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

Result<int> free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return io_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    int e = errno;
    ::close(fd);
    return io_error(std::string("bind 127.0.0.1:0: ") + std::strerror(e));
  }
  ::close(fd);
  return static_cast<int>(ntohs(a.sin_port));
}

Result<std::unique_ptr<RedisServer>> RedisServer::start(RedisServerOptions opts) {
  std::unique_ptr<RedisServer> s(new RedisServer);
  s->opts_ = std::move(opts);
  char tmpl[] = "/tmp/harrier-redis-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return io_error(std::string("mkdtemp: ") + std::strerror(errno));
  s->dir_ = tmpl;
  s->conf_path_ = s->dir_ + "/redis.conf";
  s->log_path_ = s->dir_ + "/redis.log";
  if (s->opts_.unix_socket) s->sock_path_ = s->dir_ + "/redis.sock";
  // A port taken between free_loopback_port() and redis' bind() makes start fail: try again.
  Status last = ok();
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (s->opts_.tcp) {
      HARRIER_ASSIGN_OR_RETURN(s->port_, free_loopback_port());
    }
    last = s->spawn();
    if (last) return s;
  }
  return std::move(last).error();
}

RedisServer::~RedisServer() {
  (void)stop();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string RedisServer::url() const {
  if (port_ > 0) return "tcp://127.0.0.1:" + std::to_string(port_);
  return unix_url();
}

Status RedisServer::spawn() {
  std::string exe = find_redis_server();
  if (exe.empty()) return unavailable("redis-server not found (install the redis-server package)");
  {
    std::ofstream conf(conf_path_, std::ios::trunc);
    conf << "daemonize no\n"
         << "save \"\"\n"
         << "appendonly no\n"
         << "dir " << dir_ << "\n"
         << "logfile " << log_path_ << "\n"
         << "bind 127.0.0.1\n"
         << "port " << port_ << "\n";
    if (!sock_path_.empty()) conf << "unixsocket " << sock_path_ << "\nunixsocketperm 700\n";
    for (const auto& u : opts_.acl_users) conf << "user " << u << "\n";
    for (const auto& line : opts_.extra_config) conf << line << "\n";
    if (!conf) return io_error("cannot write " + conf_path_);
  }
  std::error_code ec;
  if (!sock_path_.empty()) std::filesystem::remove(sock_path_, ec);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return io_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
    }
    const char* argv[] = {exe.c_str(), conf_path_.c_str(), nullptr};
    ::execv(exe.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }
  pid_ = pid;
  if (auto s = wait_ready(); !s) {
    (void)kill();
    return s;
  }
  return ok();
}

Status RedisServer::wait_ready() {
  std::int64_t deadline = now_ms() + opts_.start_timeout_ms;
  while (now_ms() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return unavailable("redis-server exited at start: " + log_tail());
    }
    auto r = raw_command("PING");
    if (r && *r == "+PONG") return ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return unavailable("redis-server did not answer PING within " +
                     std::to_string(opts_.start_timeout_ms) + " ms: " + log_tail());
}

std::string RedisServer::log_tail() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > 800 ? all.substr(all.size() - 800) : all;
}

Status RedisServer::stop() {
  if (pid_ <= 0) return ok();
  ::kill(pid_, SIGTERM);
  std::int64_t deadline = now_ms() + 5000;
  while (now_ms() < deadline) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      pid_ = -1;
      return ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return kill();
}

Status RedisServer::kill() {
  if (pid_ <= 0) return ok();
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return ok();
}

Status RedisServer::restart() {
  HARRIER_TRY(stop());
  return spawn();
}

Result<std::string> RedisServer::raw_command(std::string_view inline_command) const {
  int fd = connect_to(port_, sock_path_);
  if (fd < 0) return unavailable("cannot connect to " + url());
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string cmd(inline_command);
  cmd += "\r\n";
  if (::send(fd, cmd.data(), cmd.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(cmd.size())) {
    ::close(fd);
    return io_error("send to " + url() + " failed");
  }
  std::string line;
  char c = 0;
  while (::recv(fd, &c, 1, 0) == 1) {
    if (c == '\n') break;
    if (c != '\r') line.push_back(c);
  }
  ::close(fd);
  if (line.empty()) return io_error("no reply from " + url());
  return line;
}

}  // namespace harrier::testing
