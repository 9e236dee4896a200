#include "roles/common/role.h"

#include <malloc.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "bus/state.h"
#include "cli/args.h"
#include "core/log.h"
#include "core/text.h"
#include "roles/common/json.h"

namespace harrier::roles {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

// Writes heartbeat:{role} every interval until stopped; the last write says "stopped".
void heartbeat_loop(RoleContext& ctx, const std::atomic<bool>& done) {
  bus::Connection conn(ctx.redis, ctx.clock);
  const std::int64_t interval_ns = ctx.config.heartbeat.interval_ms * kNsPerMs;
  std::int64_t next = 0;
  bool warned = false;
  while (!done.load()) {
    const std::int64_t now = ctx.clock.mono_ns();
    if (ctx.ready() && now >= next) {
      next = now + interval_ns;
      auto st = bus::write_heartbeat(conn, ctx.role, heartbeat_json(ctx, "running"),
                                     ctx.config.heartbeat.ttl_ms);
      if (!st && !warned) {
        log::warn("heartbeat", "cannot write heartbeat: {}", st.error().to_string());
        warned = true;
      } else if (st) {
        warned = false;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (ctx.ready()) {
    (void)bus::write_heartbeat(conn, ctx.role, heartbeat_json(ctx, "stopped"),
                               ctx.config.heartbeat.ttl_ms);
  }
}

}  // namespace

bool RoleContext::stopping() const { return g_stop.load(); }
void RoleContext::request_stop() { g_stop.store(true); }
void RoleContext::mark_ready() {
  if (!ready_.exchange(true)) log::info(role, "ready");
}

bus::ConnectionConfig redis_config(const Config& cfg, std::string_view client_name) {
  bus::ConnectionConfig rc;
  rc.url = cfg.redis.url.empty() ? "tcp://127.0.0.1:6379" : cfg.redis.url;
  rc.user = cfg.redis.user;
  rc.password_env = cfg.redis.password_env;
  rc.password_file = cfg.redis.password_file;
  rc.connect_timeout_ns = cfg.redis.connect_timeout_ms * kNsPerMs;
  rc.command_timeout_ns = cfg.redis.command_timeout_ms * kNsPerMs;
  rc.client_name = std::string(client_name);
  return rc;
}

std::string affinity_text() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return "";
  std::string out;
  int run_start = -1;
  auto flush = [&](int end) {
    if (run_start < 0) return;
    if (!out.empty()) out += ',';
    out += std::to_string(run_start);
    if (end > run_start) out += "-" + std::to_string(end);
    run_start = -1;
  };
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) {
      if (run_start < 0) run_start = cpu;
    } else {
      flush(cpu - 1);
    }
  }
  flush(CPU_SETSIZE - 1);
  return out;
}

std::string heartbeat_json(const RoleContext& ctx, std::string_view state) {
  const TimestampNs now = SystemClock::instance().now_ns();
  json::Writer w;
  w.field("role", ctx.role)
      .field("pid", static_cast<std::int64_t>(getpid()))
      .field("state", state)
      .field("started_ns", ctx.started_ns)
      .field("ts_ns", now)
      .field("uptime_s", static_cast<double>(now - ctx.started_ns) / 1e9)
      .field("restarts", ctx.restarts)
      .field("cpus", affinity_text())
      .field("rss_bytes", resident_bytes())
      .raw("metrics", ctx.metrics.to_json());
  return w.finish();
}

void keep_heap() {
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
}

int run_role(std::span<char*> args, std::string_view role, std::string_view description,
             const RoleBody& body, const std::function<Status(const Config&)>& extra_validate) {
  std::string config_path, redis_url, log_level;
  std::vector<std::string> sets;
  cli::ArgParser p("harrier " + std::string(role) + " [--config FILE] [--set KEY=VALUE]...",
                   std::string(description) +
                       "\n\nEvery setting comes from harrier.toml (`harrier config --example` "
                       "lists them) or --set; exit codes: 0 clean stop, 1 runtime failure, 2 "
                       "usage or config error.");
  p.add_string("config", "FILE", "harrier.toml to read (default: built-in defaults)", &config_path);
  p.add_list("set", "KEY=VALUE", "override one config key, e.g. redis.url=unix:/tmp/r.sock", &sets);
  p.add_string("redis", "URL", "shorthand for --set redis.url=URL", &redis_url);
  p.add_string("log-level", "LEVEL", "shorthand for --set log.level=LEVEL", &log_level);
  if (auto code = p.parse_or_exit(args)) return *code;
  if (!redis_url.empty()) sets.push_back("redis.url=" + redis_url);
  if (!log_level.empty()) sets.push_back("log.level=" + log_level);
  auto cfg = load_config(config_path, sets);
  if (cfg && extra_validate) {
    if (auto st = extra_validate(*cfg); !st) cfg = std::move(st).error();
  }
  if (!cfg) {
    std::fprintf(stderr, "harrier %.*s: config: %s\n", static_cast<int>(role.size()), role.data(),
                 cfg.error().message().c_str());
    return 2;
  }
  log::set_role(role);
  log::set_level(*log::parse_level(cfg->log.level));

  RoleContext ctx;
  ctx.role = std::string(role);
  ctx.config = std::move(*cfg);
  ctx.redis = redis_config(ctx.config, "harrier-" + std::string(role));
  ctx.started_ns = SystemClock::instance().now_ns();
  if (const char* r = std::getenv("HARRIER_RESTARTS")) {
    ctx.restarts = static_cast<int>(text::parse_int(r).value_or(0));
  }
  install_signal_handlers();

  std::atomic<bool> done{false};
  std::thread hb([&] {
    pthread_setname_np(pthread_self(), "heartbeat");
    heartbeat_loop(ctx, done);
  });
  log::info(role, "starting: pid={} redis={} cpus={}", getpid(), ctx.redis.url, affinity_text());
  int code = 1;
  try {
    code = body(ctx);
  } catch (const std::exception& e) {
    log::error(role, "fatal: {}", e.what());
    code = 1;
  }
  done.store(true);
  hb.join();
  log::info(role, "exit code {}", code);
  return code;
}

}  // namespace harrier::roles
