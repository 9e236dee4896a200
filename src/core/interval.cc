#include "core/interval.h"

#include <string>

namespace harrier {

Result<Interval> parse_interval(std::string_view text) {
  for (Interval iv : kAllIntervals) {
    if (interval_name(iv) == text) return iv;
  }
  return invalid_input("unknown interval '" + std::string(text) +
                       "' (expected one of 1s 5s 15s 30s 1m 5m)");
}

}  // namespace harrier
