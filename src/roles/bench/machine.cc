#include "roles/bench/machine.h"

#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#ifndef HARRIER_BUILD_TYPE
#define HARRIER_BUILD_TYPE "unknown"
#endif

namespace harrier::roles::bench {

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  if (!(in >> a >> b >> c)) return "";
  return a + " " + b + " " + c;
}

Machine read_machine() {
  Machine m;
  m.build_type = HARRIER_BUILD_TYPE;
#if defined(__clang__)
  m.compiler = "Clang " __clang_version__;
#elif defined(__GNUC__)
  m.compiler = "GCC " __VERSION__;
#else
  m.compiler = "unknown";
#endif
#ifdef HARRIER_SANITIZED
  m.sanitized = true;
#endif
#ifndef NDEBUG
  m.assertions = true;
#endif
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos)
        m.cpu_model = line.substr(line.find_first_not_of(' ', colon + 1));
      break;
    }
  }
  m.cpus_online = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) m.cpus_allowed = CPU_COUNT(&set);
  utsname u{};
  if (::uname(&u) == 0) m.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  m.load_avg_start = load_average();

  if (m.build_type != "Release" && m.build_type != "RelWithDebInfo") {
    m.warnings.push_back("this is a " + m.build_type +
                         " build: optimisation is off, figures are not representative");
  }
  if (m.sanitized) {
    m.warnings.push_back(
        "built with AddressSanitizer/UndefinedBehaviorSanitizer: figures are "
        "several times slower than a release build");
  }
  if (m.assertions) m.warnings.push_back("assertions are on (NDEBUG is not defined)");
  return m;
}

}  // namespace harrier::roles::bench
