#include "roles/manager/plan.h"

#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace harrier::roles::manager {
namespace {

Error key_error(std::string_view key, const std::string& msg) {
  return invalid_input("key '" + std::string(key) + "': " + msg);
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::vector<int> available_cpus() {
  std::vector<int> out;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) out.push_back(cpu);
  }
  return out;
}

std::string cpu_list_text(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += "-" + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

Result<std::vector<int>> check_cpus(std::string_view key, std::string_view list,
                                    const std::vector<int>& available) {
  if (list.empty()) return std::vector<int>{};
  auto cpus = parse_cpu_list(list);
  if (!cpus) return key_error(key, cpus.error().message());
  std::sort(cpus->begin(), cpus->end());
  cpus->erase(std::unique(cpus->begin(), cpus->end()), cpus->end());
  for (int cpu : *cpus) {
    if (!std::binary_search(available.begin(), available.end(), cpu)) {
      return key_error(key, "CPU " + std::to_string(cpu) +
                                " is not available to this process (available: " +
                                cpu_list_text(available) + ")");
    }
  }
  return cpus;
}

Result<std::string> find_executable(std::string_view key, std::string_view name,
                                    std::string_view path_env) {
  if (name.empty()) return key_error(key, "no program given");
  if (name.find('/') != std::string_view::npos) {
    std::string path(name);
    if (is_executable_file(path)) return path;
    return key_error(key, "'" + path + "' is not an executable file");
  }
  std::string_view rest = path_env;
  while (true) {
    std::size_t colon = rest.find(':');
    std::string_view dir = rest.substr(0, colon);
    std::string candidate =
        (dir.empty() ? std::string(".") : std::string(dir)) + "/" + std::string(name);
    if (is_executable_file(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    rest = rest.substr(colon + 1);
  }
  return key_error(key, "'" + std::string(name) +
                            "' not found on the PATH (install the Debian "
                            "package redis-server or give a full path)");
}

Result<std::vector<RoleSpec>> make_plan(const Config& cfg, const PlanInput& in) {
  const std::array<const std::string*, 3> cpu_keys = {
      &cfg.manager.cpu_ingest, &cfg.manager.cpu_execute, &cfg.manager.cpu_telemetry};
  std::vector<RoleSpec> plan;
  for (std::size_t i = 0; i < kRoleOrder.size(); ++i) {
    RoleSpec s;
    s.role = std::string(kRoleOrder[i]);
    const std::string key = "manager.cpu_" + s.role;
    auto cpus = check_cpus(key, *cpu_keys[i], in.available_cpus);
    if (!cpus) return std::move(cpus).error();
    s.cpus = std::move(*cpus);
    s.argv = {in.exe, s.role};
    if (!in.config_path.empty()) {
      s.argv.push_back("--config");
      s.argv.push_back(in.config_path);
    }
    for (const std::string& set : in.sets) {
      s.argv.push_back("--set");
      s.argv.push_back(set);
    }
    if (!in.redis_url.empty()) {
      s.argv.push_back("--set");
      s.argv.push_back("redis.url=" + in.redis_url);
    }
    plan.push_back(std::move(s));
  }
  for (const std::string& entry : cfg.manager.test_role_args) {
    const std::size_t colon = entry.find(':');
    const std::string role = entry.substr(0, colon);
    auto it =
        std::find_if(plan.begin(), plan.end(), [&](const RoleSpec& s) { return s.role == role; });
    if (colon == std::string::npos || colon + 1 == entry.size() || it == plan.end()) {
      return key_error("manager.test_role_args",
                       "'" + entry + "' is not ROLE:ARG with ROLE ingest, execute or telemetry");
    }
    it->argv.push_back(entry.substr(colon + 1));
  }
  return plan;
}

}  // namespace harrier::roles::manager
