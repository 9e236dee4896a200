// The supervision loop of `harrier up` (ARCHITECTURE §1, §6; docs/manager.md). One thread, the
// manager's "main", ticks every 10 ms:
//   reap      waitpid(WNOHANG) on each role: a role that exited is restarted after
//             manager.restart_delay_ms, at most manager.max_restarts times over the run; then
//             it is reported failed (the run's exit code becomes 1) and the others keep running.
//   launch    P1, P2, P3 in order: the next role starts manager.stagger_ms after the previous one
//             is ready (heartbeat:{role} carries its pid) or has failed.
//   ready     a starting role that shows no heartbeat within manager.ready_timeout_ms is killed
//             (and restarted as if it had died).
//   health    every manager.health_interval_ms: a running role whose heartbeat is missing, from
//             another pid or stale (health.h) is hung: SIGKILL, then the restart path.
//   beat      heartbeat:manager every heartbeat.interval_ms (pid, uptime, per-role pid, state,
//             restarts), so `harrier status` shows the manager too.
//   status    every manager.status_interval_s the `harrier status` block on the console.
// A SIGINT/SIGTERM ends the loop and starts the ordered teardown: SIGTERM to P3, wait up to
// manager.stop_grace_ms, SIGKILL; the same for P2, then P1; the session keys are removed (SCAN +
// UNLINK over bus::keys::session_key_patterns()) unless manager.keep_data; the private Redis
// stops last. A second signal forces: SIGKILL everything still running, then return.
// Every step is a time-stamped console line.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "bus/connection.h"
#include "config/config.h"
#include "roles/manager/console.h"
#include "roles/manager/plan.h"
#include "roles/manager/private_redis.h"
#include "roles/manager/process.h"

namespace harrier::roles::manager {

enum class RoleState { kPending, kStarting, kRunning, kBackoff, kFailed, kStopped };
std::string_view role_state_name(RoleState s);

class Supervisor {
 public:
  // `signals` counts SIGINT/SIGTERM deliveries (the handler's only job); `redis` is the private
  // Redis, or null when redis.url names one. Borrowed: console and signals outlive the
  // Supervisor.
  Supervisor(Config cfg, std::vector<RoleSpec> plan, std::string redis_url,
             std::unique_ptr<PrivateRedis> redis, Console& console,
             const std::atomic<int>& signals);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Runs until the first signal, then tears everything down. Returns the exit code: 0 clean,
  // 1 when a role failed beyond its restart budget, the private Redis died, or the teardown
  // was forced.
  int run();

 private:
  struct Role {
    RoleSpec spec;
    RoleState state = RoleState::kPending;
    std::unique_ptr<Child> child;
    int restarts = 0;             // restarts used so far
    std::int64_t since_mono = 0;  // kStarting: launch time; kBackoff: restart due
    pid_t last_pid = 0;
    std::string last_exit;    // "exit code 2" of the last death
    std::string kill_reason;  // set when the manager killed it (hung, not ready)
  };

  std::int64_t mono_ms() const;
  void launch(Role& r, std::int64_t now);
  void reap(std::int64_t now);
  void launch_next(std::int64_t now);
  void check_ready(std::int64_t now);
  void check_health(std::int64_t now);
  void restart_due(std::int64_t now);
  void write_beat(std::string_view state);
  void print_status();
  // GET heartbeat:{role} of each role in `roles`, one pipeline; false when Redis failed.
  bool read_beats(const std::vector<Role*>& roles, std::vector<std::optional<std::string>>& out);

  void teardown();
  void stop_role(Role& r);
  void remove_session_keys();
  void force_kill_all();
  bool forced() const { return signals_.load() >= 2; }

  Config cfg_;
  std::vector<Role> roles_;
  std::string redis_url_;
  std::unique_ptr<PrivateRedis> redis_;
  Console& console_;
  const std::atomic<int>& signals_;
  std::unique_ptr<bus::Connection> conn_;

  std::size_t next_launch_ = 0;
  std::int64_t gate_open_ms_ = 0;
  std::int64_t next_ready_poll_ms_ = 0, next_health_ms_ = 0, next_beat_ms_ = 0, next_status_ms_ = 0;
  TimestampNs started_ns_ = 0;
  bool role_failed_ = false, redis_died_ = false, was_forced_ = false;
  bool redis_warned_ = false;
};

}  // namespace harrier::roles::manager
