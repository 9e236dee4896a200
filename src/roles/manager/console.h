// The one console of `harrier up`: every line of every child (ingest, execute, telemetry, redis)
// and the manager's own lines go to stdout with a role prefix, coloured when stdout is a
// terminal (and NO_COLOR is unset), and each line also goes to <run_dir>/logs/<source>.log
// without the prefix. Each console line is one write(2), so lines never interleave.
// Thread-safety: Console is thread-safe (one mutex); LineSplitter is owned by one reader thread.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/result.h"

namespace harrier::roles::manager {

class Console {
 public:
  // `log_dir` must exist; "" writes no log files. `colour` adds ANSI colours to the prefixes.
  Console(std::string log_dir, bool colour);
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  // One line from `source` (without its newline).
  void line(std::string_view source, std::string_view text);
  // A line of the manager's own, with the time stamp and level of core/log ("2026-...Z info ").
  void say(std::string_view level, std::string_view text);
  template <typename... Args>
  void info(fmt::format_string<Args...> f, Args&&... args) {
    say("info ", fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void warn(fmt::format_string<Args...> f, Args&&... args) {
    say("warn ", fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void error(fmt::format_string<Args...> f, Args&&... args) {
    say("error", fmt::format(f, std::forward<Args>(args)...));
  }

  // The prefix of `source`: "ingest    | " (plain) or with its colour.
  static std::string prefix(std::string_view source, bool colour);
  // True when stdout is a terminal and NO_COLOR is unset.
  static bool stdout_wants_colour();

 private:
  std::FILE* file_for(std::string_view source);  // REQUIRES: mu_ held

  std::string log_dir_;
  bool colour_;
  std::mutex mu_;
  std::map<std::string, std::FILE*, std::less<>> files_;  // guarded by mu_
};

// UTC time stamp as core/log writes it: 2026-01-05T14:30:00.123Z.
std::string timestamp_now();

// Splits a byte stream into lines: feed() bytes as they arrive and get each complete line (no
// '\n', a trailing '\r' removed) passed to `emit`; a line longer than max_line is passed on in
// pieces. finish() passes on what is left at end of stream.
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line = 64 * 1024) : max_line_(max_line) {}
  template <typename Emit>
  void feed(std::string_view bytes, Emit&& emit) {
    for (char c : bytes) {
      if (c == '\n') {
        flush(emit);
      } else {
        buf_ += c;
        if (buf_.size() >= max_line_) flush(emit);
      }
    }
  }
  template <typename Emit>
  void finish(Emit&& emit) {
    if (!buf_.empty()) flush(emit);
  }

 private:
  template <typename Emit>
  void flush(Emit& emit) {
    if (!buf_.empty() && buf_.back() == '\r') buf_.pop_back();
    emit(std::string_view(buf_));
    buf_.clear();
  }
  std::size_t max_line_;
  std::string buf_;
};

}  // namespace harrier::roles::manager
