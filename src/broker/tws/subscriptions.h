// The subscription registry: every market-data style request the connection holds (tick-by-tick,
// depth, reqMktData), kept by a stable handle so it can be replayed after every reconnect and
// after error 1101 ("connectivity restored, data lost"). Each replay sends the request again
// with a fresh reqId; the registry maps the current reqId back to the handle, so callers never
// see reqIds change. Owned by the connection's thread; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/tws/encoder.h"
#include "broker/tws/messages.h"
#include "core/result.h"

namespace harrier::tws {

using SubId = std::uint32_t;  // 0: no subscription
inline constexpr SubId kNoSub = 0;

enum class SubKind : std::uint8_t { kTickByTick, kDepth, kMktData };

struct Subscription {
  SubKind kind = SubKind::kTickByTick;
  Contract contract;
  TickByTickType tick_by_tick = TickByTickType::kLast;  // kTickByTick
  std::int32_t depth_rows = 10;                         // kDepth
  bool smart_depth = false;                             // kDepth
  std::string generic_ticks;                            // kMktData
  // Set by the registry.
  SubId id = kNoSub;
  std::int32_t req_id = 0;  // reqId in the current session; 0: not sent in this session
  std::uint32_t sends = 0;  // how many times it was sent (first send + replays)
};

class SubscriptionRegistry {
 public:
  // Stores `s` and returns its handle (never kNoSub).
  SubId add(Subscription s);
  // Removes a subscription; false when the handle is unknown. `removed` gets its last state.
  bool remove(SubId id, Subscription* removed = nullptr);
  Subscription* get(SubId id);
  // The handle whose current reqId is `req_id`, or kNoSub.
  SubId find_by_req(std::int32_t req_id) const;
  // Forgets every reqId (the session that owned them is gone).
  void clear_req_ids();
  std::vector<Subscription>& all() { return subs_; }
  const std::vector<Subscription>& all() const { return subs_; }
  std::size_t size() const { return subs_.size(); }

 private:
  std::vector<Subscription> subs_;  // few (tens): a vector beats a map
  SubId next_id_ = 1;
};

// Appends the request frame for `s` (with s.req_id) / its cancel.
Status encode_subscribe(const Encoder& enc, std::string& out, const Subscription& s);
Status encode_unsubscribe(const Encoder& enc, std::string& out, const Subscription& s);

std::string_view sub_kind_name(SubKind k);

}  // namespace harrier::tws
