// Logging facade over fmt (STYLE B6). One event is one line on stderr:
//   2026-01-05T14:30:00.123Z warn  ingest/bars: late tick sym=SPY iv=5s late_by_ms=12
// Each line is written with a single write(2), so lines from several threads or processes
// never interleave. The hot path never logs at info; per-tick events go through LogEvery.
// Thread-safety: all functions are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "core/result.h"

namespace harrier::log {

enum class Level : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void set_level(Level level);
Level level();
// Parses debug|info|warn|error.
Result<Level> parse_level(std::string_view text);
// Process-wide role name shown in every line ("ingest", "execute", ...); empty by default.
void set_role(std::string_view role);

void write(Level level, std::string_view tag, std::string_view message);

template <typename... Args>
void log(Level lvl, std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
  if (lvl < level()) return;
  write(lvl, tag, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
  log(Level::kDebug, tag, f, std::forward<Args>(args)...);
}
template <typename... Args>
void info(std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
  log(Level::kInfo, tag, f, std::forward<Args>(args)...);
}
template <typename... Args>
void warn(std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
  log(Level::kWarn, tag, f, std::forward<Args>(args)...);
}
template <typename... Args>
void error(std::string_view tag, fmt::format_string<Args...> f, Args&&... args) {
  log(Level::kError, tag, f, std::forward<Args>(args)...);
}

// Rate limiter for events that can repeat per tick: allow() is true at most once per period
// (monotonic ns supplied by the caller) and suppressed() says how many were held back since
// the last allowed one. Not thread-safe: one per owning thread.
class LogEvery {
 public:
  explicit LogEvery(std::int64_t period_ns) : period_ns_(period_ns) {}
  bool allow(std::int64_t mono_ns) {
    if (mono_ns - last_ns_ >= period_ns_ || first_) {
      first_ = false;
      last_ns_ = mono_ns;
      reported_ = suppressed_;
      suppressed_ = 0;
      return true;
    }
    ++suppressed_;
    return false;
  }
  // Events held back before the last allowed one.
  std::uint64_t suppressed() const { return reported_; }

 private:
  std::int64_t period_ns_;
  std::int64_t last_ns_ = 0;
  bool first_ = true;
  std::uint64_t suppressed_ = 0;
  std::uint64_t reported_ = 0;
};

}  // namespace harrier::log
