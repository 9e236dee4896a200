#include "roles/manager/supervisor.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "bus/keys.h"
#include "bus/state.h"
#include "roles/common/json.h"
#include "roles/common/metrics.h"
#include "roles/common/role.h"
#include "roles/manager/health.h"
#include "roles/telemetry/snapshot.h"
#include "roles/telemetry/status.h"

namespace harrier::roles::manager {
namespace {

constexpr std::int64_t kTickMs = 10;
constexpr std::int64_t kReadyPollMs = 50;

std::string join_args(const std::vector<std::string>& argv) {
  std::string out;
  for (std::size_t i = 1; i < argv.size(); ++i) {  // argv[0] is the binary: shown once, above
    if (!out.empty()) out += ' ';
    out += argv[i];
  }
  return out;
}

}  // namespace

std::string_view role_state_name(RoleState s) {
  switch (s) {
    case RoleState::kPending:
      return "pending";
    case RoleState::kStarting:
      return "starting";
    case RoleState::kRunning:
      return "running";
    case RoleState::kBackoff:
      return "restarting";
    case RoleState::kFailed:
      return "failed";
    case RoleState::kStopped:
      return "stopped";
  }
  return "?";
}

Supervisor::Supervisor(Config cfg, std::vector<RoleSpec> plan, std::string redis_url,
                       std::unique_ptr<PrivateRedis> redis, Console& console,
                       const std::atomic<int>& signals)
    : cfg_(std::move(cfg)),
      redis_url_(std::move(redis_url)),
      redis_(std::move(redis)),
      console_(console),
      signals_(signals) {
  for (RoleSpec& s : plan) {
    Role r;
    r.spec = std::move(s);
    roles_.push_back(std::move(r));
  }
  Config for_conn = cfg_;
  for_conn.redis.url = redis_url_;
  conn_ = std::make_unique<bus::Connection>(redis_config(for_conn, "harrier-manager"));
}

Supervisor::~Supervisor() = default;

std::int64_t Supervisor::mono_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// ---- the loop ----

int Supervisor::run() {
  started_ns_ = SystemClock::instance().now_ns();
  const std::int64_t start = mono_ms();
  gate_open_ms_ = start;
  next_status_ms_ = start + cfg_.manager.status_interval_s * 1000;
  while (signals_.load() == 0) {
    const std::int64_t now = mono_ms();
    reap(now);
    if (redis_ && redis_->child().exited()) {
      console_.error("the private Redis stopped ({}): tearing everything down",
                     redis_->child().exit_text());
      redis_died_ = true;
      break;
    }
    launch_next(now);
    if (now >= next_ready_poll_ms_) {
      next_ready_poll_ms_ = now + kReadyPollMs;
      check_ready(now);
    }
    if (now >= next_health_ms_) {
      next_health_ms_ = now + cfg_.manager.health_interval_ms;
      check_health(now);
    }
    restart_due(now);
    if (now >= next_beat_ms_) {
      next_beat_ms_ = now + cfg_.heartbeat.interval_ms;
      write_beat("running");
    }
    if (cfg_.manager.status_interval_s > 0 && now >= next_status_ms_) {
      next_status_ms_ = now + cfg_.manager.status_interval_s * 1000;
      print_status();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kTickMs));
  }
  teardown();
  const int code = (role_failed_ || redis_died_ || was_forced_) ? 1 : 0;
  console_.info("teardown: done; exit code {}", code);
  return code;
}

void Supervisor::launch(Role& r, std::int64_t now) {
  SpawnOptions o;
  o.source = r.spec.role;
  o.argv = r.spec.argv;
  o.env = {"HARRIER_RESTARTS=" + std::to_string(r.restarts)};
  o.cpus = r.spec.cpus;
  r.kill_reason.clear();
  r.since_mono = now;
  auto child = Child::spawn(o, console_);
  if (!child) {
    // Counted like a death: the restart path retries it and gives up after the budget.
    console_.error("cannot start {}: {}", r.spec.role, child.error().to_string());
    r.state = RoleState::kStarting;
    r.last_exit = "not started";
    r.child.reset();
    return;
  }
  r.child = std::move(*child);
  r.last_pid = r.child->pid();
  r.state = RoleState::kStarting;
  next_beat_ms_ = 0;
  console_.info("start {}: pid {} restart {} cpus {}: {}", r.spec.role, r.last_pid, r.restarts,
                r.spec.cpus.empty() ? std::string("any") : cpu_list_text(r.spec.cpus),
                join_args(r.spec.argv));
}

void Supervisor::reap(std::int64_t now) {
  for (Role& r : roles_) {
    if (r.state != RoleState::kStarting && r.state != RoleState::kRunning) continue;
    if (r.child && !r.child->exited()) continue;
    if (r.child) r.last_exit = r.child->exit_text();
    const bool was_ready = r.state == RoleState::kRunning;
    next_beat_ms_ = 0;
    r.child.reset();  // joins its log reader: the last lines are on the console before ours
    console_.warn("{} (pid {}) {}: {}{}", r.spec.role, r.last_pid,
                  was_ready ? "died" : "died before it was ready", r.last_exit,
                  r.kill_reason.empty() ? "" : " (killed: " + r.kill_reason + ")");
    if (r.restarts < cfg_.manager.max_restarts) {
      r.state = RoleState::kBackoff;
      r.since_mono = now + cfg_.manager.restart_delay_ms;
      console_.info("restart {} in {} ms (restart {} of {})", r.spec.role,
                    cfg_.manager.restart_delay_ms, r.restarts + 1, cfg_.manager.max_restarts);
    } else {
      r.state = RoleState::kFailed;
      role_failed_ = true;
      console_.error(
          "{} FAILED: it died {} times, beyond manager.max_restarts={} (last: {}); the other "
          "roles keep running, exit code will be 1",
          r.spec.role, r.restarts + 1, cfg_.manager.max_restarts, r.last_exit);
    }
  }
}

void Supervisor::launch_next(std::int64_t now) {
  if (next_launch_ > 0) {
    const Role& prev = roles_[next_launch_ - 1];
    // The gate: the previous role is ready (or has failed for good); then the stagger.
    if (gate_open_ms_ < 0) {
      if (prev.state == RoleState::kRunning || prev.state == RoleState::kFailed) {
        gate_open_ms_ = now + cfg_.manager.stagger_ms;
      } else {
        return;
      }
    }
  }
  if (next_launch_ >= roles_.size() || now < gate_open_ms_) return;
  launch(roles_[next_launch_], now);
  ++next_launch_;
  gate_open_ms_ = -1;
}

bool Supervisor::read_beats(const std::vector<Role*>& roles,
                            std::vector<std::optional<std::string>>& out) {
  out.clear();
  if (roles.empty()) return true;
  std::vector<std::string> keys;
  for (const Role* r : roles) keys.push_back(bus::keys::heartbeat(r->spec.role));
  bus::CommandBatch batch;
  for (const std::string& k : keys) batch.add({"GET", k});
  std::vector<bus::Reply> replies;
  if (auto st = conn_->run(batch, replies); !st) {
    if (!redis_warned_) {
      console_.warn("cannot read heartbeats from {}: {} (health checks wait for Redis)", redis_url_,
                    st.error().to_string());
      redis_warned_ = true;
    }
    return false;
  }
  redis_warned_ = false;
  for (const bus::Reply& rep : replies) {
    auto v = bus::copy_string_or_nil(rep.view());
    out.push_back(v && *v ? std::optional<std::string>(std::move(**v)) : std::nullopt);
  }
  return true;
}

void Supervisor::check_ready(std::int64_t now) {
  std::vector<Role*> starting;
  for (Role& r : roles_) {
    if (r.state == RoleState::kStarting && r.child && !r.child->exited()) starting.push_back(&r);
  }
  std::vector<std::optional<std::string>> beats;
  const bool have = read_beats(starting, beats);
  const TimestampNs wall = SystemClock::instance().now_ns();
  for (std::size_t i = 0; i < starting.size(); ++i) {
    Role& r = *starting[i];
    if (have && judge_beat(beats[i], r.last_pid, wall, stale_after_ns(cfg_)) == Beat::kFresh) {
      r.state = RoleState::kRunning;
      next_beat_ms_ = 0;  // heartbeat:manager shows the change at once
      console_.info("{} ready: pid {} after {} ms", r.spec.role, r.last_pid, now - r.since_mono);
    } else if (now - r.since_mono > cfg_.manager.ready_timeout_ms) {
      r.kill_reason = "no heartbeat within manager.ready_timeout_ms=" +
                      std::to_string(cfg_.manager.ready_timeout_ms);
      console_.warn("{} (pid {}) not ready after {} ms: SIGKILL", r.spec.role, r.last_pid,
                    now - r.since_mono);
      r.child->signal(SIGKILL);
    }
  }
}

void Supervisor::check_health(std::int64_t) {
  std::vector<Role*> running;
  for (Role& r : roles_) {
    if (r.state == RoleState::kRunning && r.child && !r.child->exited()) running.push_back(&r);
  }
  std::vector<std::optional<std::string>> beats;
  if (!read_beats(running, beats)) return;  // Redis down: nothing to judge on
  const TimestampNs wall = SystemClock::instance().now_ns();
  for (std::size_t i = 0; i < running.size(); ++i) {
    Role& r = *running[i];
    const Beat b = judge_beat(beats[i], r.last_pid, wall, stale_after_ns(cfg_));
    if (b == Beat::kFresh) continue;
    r.kill_reason = "hung: " + std::string(beat_name(b));
    console_.warn("{} (pid {}) is hung ({}): SIGKILL", r.spec.role, r.last_pid, beat_name(b));
    r.child->signal(SIGKILL);
  }
}

void Supervisor::restart_due(std::int64_t now) {
  for (Role& r : roles_) {
    if (r.state != RoleState::kBackoff || now < r.since_mono) continue;
    ++r.restarts;
    launch(r, now);
  }
}

void Supervisor::write_beat(std::string_view state) {
  const TimestampNs now = SystemClock::instance().now_ns();
  int restarts = 0;
  json::Writer w;
  w.field("role", "manager")
      .field("pid", static_cast<std::int64_t>(getpid()))
      .field("state", state)
      .field("started_ns", started_ns_)
      .field("ts_ns", now)
      .field("uptime_s", static_cast<double>(now - started_ns_) / 1e9);
  for (const Role& r : roles_) restarts += r.restarts;
  w.field("restarts", restarts).field("cpus", affinity_text()).field("rss_bytes", resident_bytes());
  w.begin_object("roles");
  for (const Role& r : roles_) {
    w.begin_object(r.spec.role)
        .field("pid", static_cast<std::int64_t>(r.child ? r.last_pid : 0))
        .field("state", role_state_name(r.state))
        .field("restarts", r.restarts)
        .field("cpus", cpu_list_text(r.spec.cpus))
        .end_object();
  }
  w.end_object();
  // The per-role figures again as gauges, so `harrier status` and /metrics show them.
  w.begin_object("metrics").begin_object("gauges");
  for (const Role& r : roles_) {
    w.field(r.spec.role + "_pid", static_cast<std::int64_t>(r.child ? r.last_pid : 0))
        .field(r.spec.role + "_restarts", r.restarts)
        .field(r.spec.role + "_failed", r.state == RoleState::kFailed ? 1 : 0);
  }
  w.end_object().end_object();
  const std::int64_t ttl = std::max<std::int64_t>(cfg_.heartbeat.ttl_ms, 1);
  (void)bus::write_heartbeat(*conn_, "manager", w.finish(), ttl);  // Redis down: read_beats warns
}

void Supervisor::print_status() {
  telemetry::BusSnapshot snap = telemetry::collect_snapshot(*conn_);
  if (!snap.redis_up) {
    console_.warn("status: Redis at {} is unreachable: {}", redis_url_, snap.redis_error);
    return;
  }
  console_.info("status:");
  const std::string block = telemetry::format_status(snap, redis_url_);
  LineSplitter split;
  auto emit = [&](std::string_view line) { console_.line("manager", line); };
  split.feed(block, emit);
  split.finish(emit);
  for (const Role& r : roles_) {
    if (r.state == RoleState::kFailed) {
      console_.line("manager", fmt::format("{:<10} FAILED after {} restarts (last: {})",
                                           r.spec.role, r.restarts, r.last_exit));
    }
  }
}

// ---- teardown ----

void Supervisor::teardown() {
  console_.info("teardown: begin (order: telemetry, execute, ingest; grace {} ms each)",
                cfg_.manager.stop_grace_ms);
  write_beat("stopping");
  for (auto it = roles_.rbegin(); it != roles_.rend(); ++it) {
    if (forced()) break;
    stop_role(*it);
  }
  if (forced()) {
    force_kill_all();
    return;
  }
  if (cfg_.manager.keep_data) {
    write_beat("stopped");
    console_.info("teardown: session keys kept (manager.keep_data / --keep-data)");
  } else {
    remove_session_keys();
  }
  if (redis_) {
    const pid_t pid = redis_->child().pid();
    console_.info("teardown: stopping the private Redis (pid {})", pid);
    const std::string how = redis_->stop(std::max<std::int64_t>(cfg_.manager.stop_grace_ms, 5000));
    ::unlink(redis_->socket_path().c_str());  // gone already after a clean stop
    console_.info("teardown: private Redis (pid {}) stopped: {}", pid, how);
  }
}

void Supervisor::stop_role(Role& r) {
  if (!r.child || r.child->exited()) {
    if (r.child) r.last_exit = r.child->exit_text();
    r.child.reset();
    if (r.state != RoleState::kFailed) r.state = RoleState::kStopped;
    console_.info("teardown: {} not running", r.spec.role);
    return;
  }
  const pid_t pid = r.child->pid();
  const std::int64_t t0 = mono_ms();
  console_.info("teardown: SIGTERM {} (pid {})", r.spec.role, pid);
  r.child->signal(SIGTERM);
  if (!r.child->wait_exit(cfg_.manager.stop_grace_ms, [this] { return forced(); })) {
    if (forced()) return;  // force_kill_all takes it from here
    console_.warn("teardown: {} (pid {}) still running after {} ms: SIGKILL", r.spec.role, pid,
                  cfg_.manager.stop_grace_ms);
    r.child->signal(SIGKILL);
    r.child->wait_exit(5000, [] { return false; });
  }
  r.last_exit = r.child->exit_text();
  r.child.reset();
  if (r.state != RoleState::kFailed) r.state = RoleState::kStopped;
  console_.info("teardown: {} (pid {}) stopped: {} after {} ms", r.spec.role, pid, r.last_exit,
                mono_ms() - t0);
}

void Supervisor::remove_session_keys() {
  std::int64_t removed = 0;
  for (std::string_view pattern : bus::keys::session_key_patterns()) {
    std::string cursor = "0";
    do {
      auto rep = conn_->command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
      if (!rep || !rep->array() || rep->size() != 2) {
        console_.warn("teardown: cannot remove session keys ({}): {}", pattern,
                      rep ? std::string("unexpected SCAN reply") : rep.error().to_string());
        return;
      }
      auto next = rep->at(0).string();
      const bus::ReplyView keys = rep->at(1);
      if (!next || !keys.array()) {
        console_.warn("teardown: unexpected SCAN reply for {}", pattern);
        return;
      }
      cursor = std::string(*next);
      std::vector<std::string_view> args = {"UNLINK"};
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (auto k = keys.at(i).string()) args.push_back(*k);
      }
      if (args.size() > 1) {
        auto n = conn_->command(std::span<const std::string_view>(args));
        if (!n) {
          console_.warn("teardown: UNLINK failed: {}", n.error().to_string());
          return;
        }
        removed += n->integer().value_or(0);
      }
    } while (cursor != "0");
  }
  console_.info("teardown: removed {} session keys from {}", removed, redis_url_);
}

void Supervisor::force_kill_all() {
  was_forced_ = true;
  console_.warn("teardown: second signal: SIGKILL to everything still running");
  for (Role& r : roles_) {
    if (!r.child) continue;
    r.child->signal(SIGKILL);
    r.child->wait_exit(5000, [] { return false; });
    console_.warn("teardown: {} (pid {}) {}", r.spec.role, r.child->pid(), r.child->exit_text());
    r.child.reset();
  }
  if (redis_) {
    redis_->child().signal(SIGKILL);
    redis_->child().wait_exit(5000, [] { return false; });
    ::unlink(redis_->socket_path().c_str());
    console_.warn("teardown: private Redis (pid {}) {}", redis_->child().pid(),
                  redis_->child().exit_text());
  }
}

}  // namespace harrier::roles::manager
