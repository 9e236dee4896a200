// Parses the time bounds of a replay (--from / --to): an integer count of ns since the UTC
// epoch ("1381152600000000000"), or ISO-8601 with seconds and an explicit zone, "Z" or an
// offset ("2013-10-07T13:30:00Z", "2013-10-07T09:30:00-04:00", "2013-10-07T13:30:00.25Z").
// A time without a zone is refused: a replay bound must not depend on the machine's zone.
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "core/result.h"
#include "core/types.h"
#include "market/session.h"

namespace harrier::feed {

// Returns ns since the UTC epoch, or kInvalidInput naming the text and what was wrong.
Result<TimestampNs> parse_time_spec(std::string_view text);

// Civil dates use harrier::days_from_civil (market/session.h), the one implementation.

}  // namespace harrier::feed
