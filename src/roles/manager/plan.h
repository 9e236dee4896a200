// What `harrier up` decides before it starts anything (pure apart from reading the machine's
// CPU set and the PATH): the command line, environment and CPU set of each role, the check of
// the manager.cpu_* lists against the CPUs this process may use, and where redis-server is.
// Every failure is kInvalidInput naming the config key, so `harrier up` exits 2 before any
// process starts. Thread-safe: plain functions over values.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/result.h"

namespace harrier::roles::manager {

// The roles in launch order (teardown runs in reverse: telemetry, execute, ingest).
inline constexpr std::array<std::string_view, 3> kRoleOrder = {"ingest", "execute", "telemetry"};

struct RoleSpec {
  std::string role;               // "ingest"
  std::vector<std::string> argv;  // argv[0] is the harrier binary
  std::vector<int> cpus;          // empty: no pinning
};

struct PlanInput {
  std::string exe;                // the harrier binary (absolute)
  std::string config_path;        // absolute, or "" for built-in defaults
  std::vector<std::string> sets;  // the manager's --set overrides, in order
  std::string redis_url;          // passed as --set redis.url=... when not empty
  std::vector<int> available_cpus;
};

// One RoleSpec per kRoleOrder entry. Errors name the key: manager.cpu_<role> (a CPU this
// process may not use) or manager.test_role_args (an entry that is not ROLE:ARG).
Result<std::vector<RoleSpec>> make_plan(const Config& cfg, const PlanInput& in);

// The CPU list `list` of key `key` ("0-3,8"), each CPU checked against `available`.
// Empty list: no pinning (an empty vector).
Result<std::vector<int>> check_cpus(std::string_view key, std::string_view list,
                                    const std::vector<int>& available);

// The CPUs this process may run on (sched_getaffinity), ascending.
std::vector<int> available_cpus();
// "0-3,8" for {0,1,2,3,8}.
std::string cpu_list_text(const std::vector<int>& cpus);

// Resolves `name` as execvp would: a name with a '/' must be an executable file, otherwise the
// first executable match in `path_env` (the PATH value). kInvalidInput naming `key`.
Result<std::string> find_executable(std::string_view key, std::string_view name,
                                    std::string_view path_env);

}  // namespace harrier::roles::manager
