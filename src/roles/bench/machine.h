// The facts `harrier bench` prints before any figure (STYLE B8, leveldb db_bench): build type,
// compiler, CPU model and count, kernel, load average, Redis version, and warnings for builds
// whose numbers mean little (debug, sanitizers, assertions on). Plain values; read once.
#pragma once

#include <string>
#include <vector>

namespace harrier::roles::bench {

struct Machine {
  std::string build_type;   // CMAKE_BUILD_TYPE of this binary
  std::string compiler;     // e.g. "GCC 12.2.0"
  bool sanitized = false;   // built with ASan/UBSan (HARRIER_SANITIZED)
  bool assertions = false;  // NDEBUG not defined
  std::string cpu_model;
  int cpus_online = 0;   // CPUs the machine has
  int cpus_allowed = 0;  // CPUs this process may run on
  std::string kernel;
  std::string load_avg_start, load_avg_end;  // /proc/loadavg's first three fields
  std::string redis_version;
  std::vector<std::string> warnings;
};

// Reads everything but redis_version and load_avg_end.
Machine read_machine();

// "0.52 0.61 0.70" from /proc/loadavg; "" if unreadable.
std::string load_average();

}  // namespace harrier::roles::bench
