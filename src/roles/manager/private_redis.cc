#include "roles/manager/private_redis.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "bus/connection.h"

namespace harrier::roles::manager {

Result<std::unique_ptr<PrivateRedis>> PrivateRedis::start(const std::string& server_path,
                                                          const std::string& run_dir,
                                                          bool persistence, std::int64_t timeout_ms,
                                                          Console& console) {
  std::unique_ptr<PrivateRedis> r(new PrivateRedis());
  r->socket_ = run_dir + "/redis.sock";
  const std::string conf = run_dir + "/redis.conf";
  {
    std::ofstream out(conf, std::ios::trunc);
    out << "# written by harrier up: the private Redis of this run\n"
        << "port 0\n"
        << "unixsocket " << r->socket_ << "\n"
        << "unixsocketperm 700\n"
        << "dir " << run_dir << "\n"
        << "daemonize no\n"
        << "logfile \"\"\n"
        << "loglevel warning\n"
        << "databases 1\n";
    if (persistence) {
      out << "save 3600 1 300 100 60 10000\n"
          << "dbfilename dump.rdb\n";
    } else {
      out << "save \"\"\n"
          << "appendonly no\n";
    }
    if (!out) return io_error("cannot write " + conf);
  }
  ::unlink(r->socket_.c_str());  // a socket left by a killed run in the same directory
  auto child = Child::spawn({"redis", {server_path, conf}, {}, {}}, console);
  if (!child) return std::move(child).error();
  r->child_ = std::move(*child);

  bus::ConnectionConfig cc;
  cc.url = r->url();
  cc.connect_timeout_ns = 200 * kNsPerMs;
  cc.client_name = "harrier-manager";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (r->child_->exited()) {
      return unavailable("redis-server " + server_path + " stopped at start (" +
                         r->child_->exit_text() + "; its output is above)");
    }
    if (::access(r->socket_.c_str(), F_OK) == 0) {
      bus::Connection conn(cc);  // a fresh one per attempt: no backoff between attempts
      if (conn.ping()) break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return unavailable("redis-server at " + r->url() + " did not answer PING within " +
                         std::to_string(timeout_ms) + " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return r;
}

std::string PrivateRedis::stop(std::int64_t grace_ms) {
  child_->signal(SIGTERM);
  if (!child_->wait_exit(grace_ms, [] { return false; })) {
    child_->signal(SIGKILL);
    child_->wait_exit(5000, [] { return false; });
    return "SIGKILL after " + std::to_string(grace_ms) + " ms; " + child_->exit_text();
  }
  return child_->exit_text();
}

}  // namespace harrier::roles::manager
