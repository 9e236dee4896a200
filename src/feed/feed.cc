#include "feed/feed.h"

namespace harrier::feed {

std::string_view reject_reason_name(RejectReason reason) {
  switch (reason) {
    case RejectReason::kMalformed:
      return "malformed";
    case RejectReason::kBadPrice:
      return "bad price";
    case RejectReason::kNegativeSize:
      return "negative size";
    case RejectReason::kCrossedQuote:
      return "crossed quote";
    case RejectReason::kTimeBackwards:
      return "time backwards";
  }
  return "?";
}

}  // namespace harrier::feed
