// Replay pacing, kept apart from reading: given a tick's recorded timestamp, the Pacer says
// how long the caller must wait before releasing it so that the replay runs at a multiple of
// the recorded speed. Pure arithmetic on a Clock: it never sleeps, so tests drive it with a
// ManualClock. The first tick maps to the clock's time at the first call; later ticks are
// placed relative to it, so a late caller catches up instead of drifting. Durations are
// measured on Clock::mono_ns(). Not thread-safe: one owner (the feed thread).
#pragma once

#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "core/types.h"

namespace harrier::feed {

class Pacer {
 public:
  // `speed`: 0 for as fast as possible, else the multiple of recorded speed (1 = recorded,
  // 10 = ten times faster, 0.5 = half speed). REQUIRES: speed is finite and >= 0 (parse_speed
  // checks text from users).
  explicit Pacer(double speed);

  // Nanoseconds to wait, from now on `clock`, before releasing a tick stamped `tick_ts_ns`;
  // 0 when it is due or overdue, always 0 at speed 0. The first call anchors the replay and
  // returns 0. A tick earlier than the previous ones (within the feed's tolerance) is due now.
  DurationNs wait_ns(const Clock& clock, TimestampNs tick_ts_ns);

  // The newest tick timestamp that was due at the clock reading of the last wait_ns() call
  // (INT64_MIN before the anchor, INT64_MAX unpaced): every tick up to it may be released
  // without asking again, one clock read for a whole burst.
  TimestampNs due_through() const { return due_through_; }

  double speed() const { return speed_; }
  bool unpaced() const { return speed_ == 0; }
  // Forgets the anchor: the next call starts a new replay.
  void reset() {
    anchored_ = false;
    due_through_ = INT64_MIN;
  }

 private:
  double speed_;
  bool anchored_ = false;
  TimestampNs anchor_tick_ns_ = 0;
  std::int64_t anchor_clock_ns_ = 0;
  TimestampNs due_through_ = INT64_MIN;
};

// Parses a replay speed: "max" or "0" (as fast as possible, returns 0), or a positive decimal
// multiple such as "1", "10", "0.5", between 0.001 and 1e6. Returns kInvalidInput naming the
// text otherwise.
Result<double> parse_speed(std::string_view text);

}  // namespace harrier::feed
