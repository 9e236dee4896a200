#include "roles/telemetry/status.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "bus/connection.h"
#include "cli/args.h"
#include "config/config.h"
#include "roles/common/json.h"
#include "roles/common/role.h"

namespace harrier::roles::telemetry {

namespace {

std::string int_text(double v) {
  if (!(v >= -9e15 && v <= 9e15)) return "?";
  return std::to_string(static_cast<std::int64_t>(v));
}

std::string uptime_text(double s) {
  if (!(s >= 0 && s < 1e9)) return "?";
  const auto t = static_cast<std::int64_t>(s);
  return fmt::format("{}h{:02}m{:02}s", t / 3600, (t / 60) % 60, t % 60);
}

std::string bytes_text(double b) {
  if (!(b >= 0 && b < 1e18)) return "?";
  return fmt::format("{:.1f} MiB", b / (1024.0 * 1024.0));
}

std::string num_text(double v) {
  if (v < 9e15 && v > -9e15 && v == std::floor(v)) return int_text(v);
  return fmt::format("{:.4g}", v);
}

void append_role(std::string& out, const RoleBeat& b) {
  if (!b.json) {
    out += fmt::format("{:<10} {:<8} (no heartbeat)\n", b.role, "down");
    return;
  }
  auto v = json::parse(*b.json);
  if (!v || v->kind != json::Value::Kind::kObject) {
    out += fmt::format("{:<10} {:<8} (heartbeat does not parse: {})\n", b.role, "unknown",
                       v ? std::string("not an object") : v.error().message());
    return;
  }
  out += fmt::format(
      "{:<10} {:<8} {:<8} {:<8} {:<11} {:<8} {}\n", b.role, v->string_at("state").value_or("?"),
      int_text(v->number_at("pid").value_or(kNaN)), v->string_at("cpus").value_or("?"),
      uptime_text(v->number_at("uptime_s").value_or(kNaN)),
      int_text(v->number_at("restarts").value_or(kNaN)),
      bytes_text(v->number_at("rss_bytes").value_or(kNaN)));
  const json::Value* m = v->find("metrics");
  if (m == nullptr) return;
  std::string line;
  for (const char* group : {"counters", "gauges"}) {
    const json::Value* g = m->find(group);
    if (g == nullptr) continue;
    for (const auto& [name, val] : g->object) {
      if (val.kind != json::Value::Kind::kNumber) continue;
      line += fmt::format("{}{}={}", line.empty() ? "" : " ", name, num_text(val.number));
    }
  }
  if (!line.empty()) out += "           " + line + "\n";
  if (const json::Value* h = m->find("histograms")) {
    for (const auto& [name, val] : h->object) {
      out += fmt::format("           {} p50={} p99={} max={} n={}\n", name,
                         num_text(val.number_at("p50").value_or(kNaN)),
                         num_text(val.number_at("p99").value_or(kNaN)),
                         num_text(val.number_at("max").value_or(kNaN)),
                         num_text(val.number_at("n").value_or(0)));
    }
  }
}

}  // namespace

std::string format_status(const BusSnapshot& snap, std::string_view redis_url) {
  std::string out =
      fmt::format("harrier status: redis {} PING {:.0f} us\n", redis_url, snap.ping_us);
  out += fmt::format("{:<10} {:<8} {:<8} {:<8} {:<11} {:<8} {}\n", "ROLE", "STATE", "PID", "CPUS",
                     "UPTIME", "RESTARTS", "RSS");
  for (const RoleBeat& b : snap.roles) {
    if (b.role == "manager" && !b.json) continue;  // shown only under `harrier up`
    append_role(out, b);
  }
  out += fmt::format("{:<18} {:>8}  {}\n", "STREAM", "LENGTH", "PENDING (group=count)");
  for (const StreamStats& s : snap.streams) {
    std::string groups;
    for (const GroupStats& g : s.groups) {
      groups += fmt::format("{}{}={}", groups.empty() ? "" : " ", g.name, g.pending);
    }
    out += fmt::format("{:<18} {:>8}  {}\n", s.name, s.length, groups.empty() ? "-" : groups);
  }
  return out;
}

int status(std::span<char*> args) {
  std::string config_path, redis_url;
  std::vector<std::string> sets;
  cli::ArgParser p("harrier status [--config FILE] [--redis URL] [--set KEY=VALUE]...",
                   "Print the state of a running Harrier from Redis alone: each role's heartbeat "
                   "(pid, CPUs, uptime, restarts, RSS, counters), the Redis PING round trip, and "
                   "each stream's length and pending entries.\n\nExit codes: 0 printed, 1 Redis "
                   "unreachable, 2 usage or config error.");
  p.add_string("config", "FILE", "harrier.toml to read (default: built-in defaults)", &config_path);
  p.add_list("set", "KEY=VALUE", "override one config key", &sets);
  p.add_string("redis", "URL", "shorthand for --set redis.url=URL", &redis_url);
  if (auto code = p.parse_or_exit(args)) return *code;
  if (!redis_url.empty()) sets.push_back("redis.url=" + redis_url);
  auto cfg = load_config(config_path, sets);
  if (!cfg) {
    std::fprintf(stderr, "harrier status: config: %s\n", cfg.error().message().c_str());
    return 2;
  }
  bus::ConnectionConfig rc = redis_config(*cfg, "harrier-status");
  bus::Connection conn(rc);
  BusSnapshot snap = collect_snapshot(conn);
  if (!snap.redis_up) {
    std::fprintf(stderr, "harrier status: Redis at %s is unreachable: %s\n", rc.url.c_str(),
                 snap.redis_error.c_str());
    return 1;
  }
  const std::string block = format_status(snap, rc.url);
  std::fwrite(block.data(), 1, block.size(), stdout);
  return 0;
}

}  // namespace harrier::roles::telemetry
