#include "feed/pacer.h"

#include <cmath>
#include <string>

#include "core/check.h"
#include "core/text.h"

namespace harrier::feed {

Pacer::Pacer(double speed) : speed_(speed) {
  HARRIER_CHECK(std::isfinite(speed) && speed >= 0, "Pacer speed must be finite and >= 0");
}

DurationNs Pacer::wait_ns(const Clock& clock, TimestampNs tick_ts_ns) {
  if (speed_ == 0) {
    due_through_ = INT64_MAX;
    return 0;
  }
  std::int64_t now = clock.mono_ns();
  if (!anchored_) {
    anchored_ = true;
    anchor_tick_ns_ = tick_ts_ns;
    anchor_clock_ns_ = now;
    due_through_ = tick_ts_ns;
    return 0;
  }
  {
    const double elapsed = static_cast<double>(now - anchor_clock_ns_) * speed_;
    due_through_ =
        elapsed >= 9.2e18 ? INT64_MAX : anchor_tick_ns_ + static_cast<DurationNs>(elapsed);
  }
  // Recorded time since the first tick, scaled to wall time. Ticks in a file are >= 0 ns and
  // < 2^63, so the difference fits; the scaled value is clamped before converting back.
  DurationNs recorded = tick_ts_ns - anchor_tick_ns_;
  if (recorded <= 0) return 0;
  DurationNs scaled = recorded;
  if (speed_ != 1) {
    double s = std::round(static_cast<double>(recorded) / speed_);
    scaled = s >= 9.2e18 ? INT64_MAX / 2 : static_cast<DurationNs>(s);
  }
  DurationNs elapsed = now - anchor_clock_ns_;
  return scaled > elapsed ? scaled - elapsed : 0;
}

Result<double> parse_speed(std::string_view text) {
  if (text == "max") return 0.0;
  auto v = text::parse_double(text);
  if (!v || !std::isfinite(*v) || *v < 0 || (*v != 0 && (*v < 0.001 || *v > 1e6))) {
    return invalid_input("bad replay speed '" + std::string(text) +
                         "' (expected max, 0, or a multiple of recorded speed from 0.001 to "
                         "1000000 such as 1, 10 or 0.5)");
  }
  return *v;
}

}  // namespace harrier::feed
