#include "core/log.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <mutex>
#include <string>

namespace harrier::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::mutex g_role_mu;
std::string g_role;  // guarded by g_role_mu

std::string_view level_name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info ";
    case Level::kWarn:
      return "warn ";
    case Level::kError:
      return "error";
  }
  return "?";
}
}  // namespace

void set_level(Level l) { g_level.store(static_cast<int>(l), std::memory_order_relaxed); }
Level level() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }

Result<Level> parse_level(std::string_view text) {
  if (text == "debug") return Level::kDebug;
  if (text == "info") return Level::kInfo;
  if (text == "warn") return Level::kWarn;
  if (text == "error") return Level::kError;
  return invalid_input("unknown log level '" + std::string(text) +
                       "' (expected debug, info, warn or error)");
}

void set_role(std::string_view role) {
  std::lock_guard lock(g_role_mu);
  g_role = role;
}

void write(Level lvl, std::string_view tag, std::string_view message) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string role;
  {
    std::lock_guard lock(g_role_mu);
    role = g_role;
  }
  std::string line =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z {} {}{}{}: {}\n", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000,
                  level_name(lvl), role, role.empty() ? "" : "/", tag, message);
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) break;  // stderr gone: nothing better to do than drop the line
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace harrier::log
