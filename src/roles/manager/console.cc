#include "roles/manager/console.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>

namespace harrier::roles::manager {
namespace {

std::string_view colour_of(std::string_view source) {
  if (source == "ingest") return "\x1b[36m";     // cyan
  if (source == "execute") return "\x1b[32m";    // green
  if (source == "telemetry") return "\x1b[35m";  // magenta
  if (source == "redis") return "\x1b[31m";      // red
  return "\x1b[1;33m";                           // manager: bold yellow
}

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n <= 0) return;  // stdout gone (closed terminal): drop, the log files still have it
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string timestamp_now() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

Console::Console(std::string log_dir, bool colour)
    : log_dir_(std::move(log_dir)), colour_(colour) {}

Console::~Console() {
  for (auto& [name, f] : files_) std::fclose(f);
}

std::string Console::prefix(std::string_view source, bool colour) {
  std::string p = fmt::format("{:<9} | ", source);
  if (!colour) return p;
  return std::string(colour_of(source)) + p + "\x1b[0m";
}

bool Console::stdout_wants_colour() {
  const char* no_colour = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

std::FILE* Console::file_for(std::string_view source) {
  if (log_dir_.empty()) return nullptr;
  auto it = files_.find(source);
  if (it != files_.end()) return it->second;
  std::FILE* f = std::fopen((log_dir_ + "/" + std::string(source) + ".log").c_str(), "a");
  files_.emplace(std::string(source), f);  // nullptr kept too: no retry on every line
  return f;
}

void Console::line(std::string_view source, std::string_view text) {
  std::string out = prefix(source, colour_);
  out.append(text);
  out += '\n';
  std::lock_guard lock(mu_);
  write_all(STDOUT_FILENO, out);
  if (std::FILE* f = file_for(source)) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fputc('\n', f);
    std::fflush(f);
  }
}

void Console::say(std::string_view level, std::string_view text) {
  line("manager", timestamp_now() + " " + std::string(level) + " manager/up: " + std::string(text));
}

}  // namespace harrier::roles::manager
