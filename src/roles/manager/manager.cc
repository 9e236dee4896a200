#include "roles/manager/manager.h"

#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "bus/connection.h"
#include "cli/args.h"
#include "config/config.h"
#include "roles/manager/console.h"
#include "roles/manager/plan.h"
#include "roles/manager/private_redis.h"
#include "roles/manager/supervisor.h"
#include "roles/telemetry/telemetry.h"
#ifdef HARRIER_MANAGER_HAS_EXECUTE
#include "roles/execute/execute.h"
#endif

namespace harrier::roles::manager {
namespace {

std::atomic<int> g_signals{0};
std::atomic<std::int64_t> g_last_signal_ns{0};
// Counts stop signals; a second one forces the teardown. One Ctrl-C can arrive twice within a
// moment (to the process and to its process group, as `timeout` and some shells send it), so
// signals closer than 100 ms to the previous one count once (a person's second Ctrl-C comes
// later than that).
extern "C" void harrier_up_on_signal(int) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);  // async-signal-safe
  const std::int64_t now = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  const std::int64_t last = g_last_signal_ns.load();
  if (last != 0 && now - last < 100'000'000) return;
  g_last_signal_ns.store(now);
  g_signals.fetch_add(1);
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = harrier_up_on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, nullptr);
}

int config_error(const std::string& message) {
  std::fprintf(stderr, "harrier up: config: %s\n", message.c_str());
  return 2;
}

std::string self_exe() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) return path;
  std::string out(real);
  std::free(real);
  return out;
}

// The run directory: manager.run_dir (created when missing), or a new /tmp/harrier-up-XXXXXX.
Result<std::string> make_run_dir(const std::string& configured) {
  std::string dir = configured;
  if (dir.empty()) {
    char tmpl[] = "/tmp/harrier-up-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      return invalid_input("key 'manager.run_dir': cannot create a directory under /tmp");
    }
    dir = tmpl;
  } else if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return invalid_input("key 'manager.run_dir': cannot create '" + dir + "'");
  }
  dir = absolute(dir);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || ::access(dir.c_str(), W_OK) != 0) {
    return invalid_input("key 'manager.run_dir': '" + dir + "' is not a writable directory");
  }
  // sockaddr_un holds 108 bytes with the terminating NUL.
  if ((dir + "/redis.sock").size() >= 108) {
    return invalid_input("key 'manager.run_dir': '" + dir +
                         "' is too long for a unix socket path (at most 96 characters)");
  }
  const std::string logs = dir + "/logs";
  if (::mkdir(logs.c_str(), 0700) != 0 && errno != EEXIST) {
    return invalid_input("key 'manager.run_dir': cannot create '" + logs + "'");
  }
  return dir;
}

// The role checks the roles themselves make at start, made here first so a bad value is
// exit 2 before anything starts instead of a role failing at every restart.
Status validate_roles(const Config& cfg) {
  HARRIER_TRY(telemetry::validate(cfg));
#ifdef HARRIER_MANAGER_HAS_EXECUTE
  HARRIER_TRY(execute::validate_config(cfg));
#endif
  if (!cfg.redis.url.empty()) {
    if (auto ep = bus::parse_url(cfg.redis.url); !ep) {
      return std::move(ep).error().with_context("key 'redis.url'");
    }
  }
  return ok();
}

}  // namespace

int run(std::span<char*> args) {
  std::string config_path, run_dir, redis_url, log_level;
  std::vector<std::string> sets;
  bool keep_data = false;
  cli::ArgParser p(
      "harrier up [--config FILE] [--set KEY=VALUE]... [--keep-data] [--run-dir DIR]",
      "Run the whole system: a private redis-server on a unix socket in the run directory "
      "(unless redis.url is set), then P1 ingest, P2 execute and P3 telemetry with a stagger and "
      "a readiness gate; restart a dead or hung role; one console with a prefix per role and a "
      "log file per role in the run directory; on SIGINT/SIGTERM stop P3, P2, P1 in that order, "
      "remove the session keys, stop Redis. A second Ctrl-C forces.\n\nExit codes: 0 clean, 1 a "
      "role failed beyond manager.max_restarts, 2 usage or config error (nothing started). See "
      "docs/manager.md.");
  p.add_string("config", "FILE", "harrier.toml to read (default: built-in defaults)", &config_path);
  p.add_list("set", "KEY=VALUE", "override one config key (passed on to every role)", &sets);
  p.add_flag("keep-data", "keep the session keys in Redis at teardown (manager.keep_data)",
             &keep_data);
  p.add_string("run-dir", "DIR", "logs, socket and pid file here (manager.run_dir)", &run_dir);
  p.add_string("redis", "URL", "use this Redis instead of a private one (redis.url)", &redis_url);
  p.add_string("log-level", "LEVEL", "shorthand for --set log.level=LEVEL", &log_level);
  if (auto code = p.parse_or_exit(args)) return *code;
  if (keep_data) sets.push_back("manager.keep_data=true");
  if (!run_dir.empty()) sets.push_back("manager.run_dir=" + run_dir);
  if (!redis_url.empty()) sets.push_back("redis.url=" + redis_url);
  if (!log_level.empty()) sets.push_back("log.level=" + log_level);

  // ---- everything is checked before anything starts ----
  auto cfg = load_config(config_path, sets);
  if (!cfg) return config_error(cfg.error().message());
  if (auto st = validate_roles(*cfg); !st) return config_error(st.error().message());
  std::string redis_server;
  if (cfg->redis.url.empty()) {
    const char* path_env = std::getenv("PATH");
    auto found = find_executable("manager.redis_server", cfg->manager.redis_server,
                                 path_env ? path_env : "/usr/bin:/bin");
    if (!found) return config_error(found.error().message());
    redis_server = *found;
  }
  PlanInput in;
  in.exe = self_exe();
  if (in.exe.empty()) return config_error("cannot find the harrier binary (/proc/self/exe)");
  in.config_path = absolute(config_path);
  in.sets = sets;
  in.available_cpus = available_cpus();
  auto plan = make_plan(*cfg, in);  // redis.url of the private Redis is added below
  if (!plan) return config_error(plan.error().message());
  auto dir = make_run_dir(cfg->manager.run_dir);
  if (!dir) return config_error(dir.error().message());

  // ---- start ----
  install_signal_handlers();
  Console console(*dir + "/logs", Console::stdout_wants_colour());
  console.info("harrier up: pid {}, run directory {}", getpid(), *dir);
  {
    std::ofstream pid_file(*dir + "/manager.pid", std::ios::trunc);
    pid_file << getpid() << "\n";
  }
  std::unique_ptr<PrivateRedis> redis;
  std::string url = cfg->redis.url;
  if (url.empty()) {
    auto r =
        PrivateRedis::start(redis_server, *dir, cfg->manager.redis_persistence, 10000, console);
    if (!r) {
      console.error("{}", r.error().to_string());
      return 1;
    }
    redis = std::move(*r);
    url = redis->url();
    console.info("private Redis: pid {} at {} (persistence {})", redis->child().pid(), url,
                 cfg->manager.redis_persistence ? "on" : "off");
    for (RoleSpec& s : *plan) {
      s.argv.push_back("--set");
      s.argv.push_back("redis.url=" + url);
    }
  } else {
    console.info("Redis: {} (not started by harrier up)", url);
  }
  if (!cfg->telemetry.http.empty()) {
    console.info("metrics: http://{}/metrics", cfg->telemetry.http);
  }
  Supervisor sup(std::move(*cfg), std::move(*plan), url, std::move(redis), console, g_signals);
  return sup.run();
}

int config_command(std::span<char*> args) {
  std::string config_path;
  std::vector<std::string> sets;
  bool example = false;
  cli::ArgParser p("harrier config [--example] [--config FILE] [--set KEY=VALUE]...",
                   "Print the documented example harrier.toml (every key with its default), or "
                   "check a config file and overrides.\n\nExit codes: 0 ok, 2 a bad key or value "
                   "(named).");
  p.add_flag("example", "print every key with its default and meaning", &example);
  p.add_string("config", "FILE", "harrier.toml to check", &config_path);
  p.add_list("set", "KEY=VALUE", "override one config key", &sets);
  if (auto code = p.parse_or_exit(args)) return *code;
  if (example) {
    const std::string text = config_example();
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  auto cfg = load_config(config_path, sets);
  if (cfg) {
    if (auto st = validate_roles(*cfg); !st) cfg = std::move(st).error();
  }
  if (!cfg) {
    std::fprintf(stderr, "harrier config: %s\n", cfg.error().message().c_str());
    return 2;
  }
  std::printf("config ok\n");
  return 0;
}

}  // namespace harrier::roles::manager
