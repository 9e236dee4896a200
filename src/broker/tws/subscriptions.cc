#include "broker/tws/subscriptions.h"

#include <algorithm>

namespace harrier::tws {

SubId SubscriptionRegistry::add(Subscription s) {
  s.id = next_id_++;
  s.req_id = 0;
  s.sends = 0;
  subs_.push_back(std::move(s));
  return subs_.back().id;
}

bool SubscriptionRegistry::remove(SubId id, Subscription* removed) {
  auto it = std::find_if(subs_.begin(), subs_.end(), [id](const auto& s) { return s.id == id; });
  if (it == subs_.end()) return false;
  if (removed != nullptr) *removed = *it;
  subs_.erase(it);
  return true;
}

Subscription* SubscriptionRegistry::get(SubId id) {
  for (auto& s : subs_) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

SubId SubscriptionRegistry::find_by_req(std::int32_t req_id) const {
  if (req_id == 0) return kNoSub;
  for (const auto& s : subs_) {
    if (s.req_id == req_id) return s.id;
  }
  return kNoSub;
}

void SubscriptionRegistry::clear_req_ids() {
  for (auto& s : subs_) s.req_id = 0;
}

Status encode_subscribe(const Encoder& enc, std::string& out, const Subscription& s) {
  switch (s.kind) {
    case SubKind::kTickByTick:
      return enc.req_tick_by_tick_data(
          out, TickByTickRequest{s.req_id, s.contract, s.tick_by_tick, 0, false});
    case SubKind::kDepth:
      return enc.req_mkt_depth(out,
                               MktDepthRequest{s.req_id, s.contract, s.depth_rows, s.smart_depth});
    case SubKind::kMktData:
      return enc.req_mkt_data(out,
                              MktDataRequest{s.req_id, s.contract, s.generic_ticks, false, false});
  }
  return internal_error("unknown subscription kind");
}

Status encode_unsubscribe(const Encoder& enc, std::string& out, const Subscription& s) {
  switch (s.kind) {
    case SubKind::kTickByTick:
      return enc.cancel_tick_by_tick_data(out, s.req_id);
    case SubKind::kDepth:
      return enc.cancel_mkt_depth(out, s.req_id, s.smart_depth);
    case SubKind::kMktData:
      return enc.cancel_mkt_data(out, s.req_id);
  }
  return internal_error("unknown subscription kind");
}

std::string_view sub_kind_name(SubKind k) {
  switch (k) {
    case SubKind::kTickByTick:
      return "tick_by_tick";
    case SubKind::kDepth:
      return "depth";
    case SubKind::kMktData:
      return "mkt_data";
  }
  return "unknown";
}

}  // namespace harrier::tws
