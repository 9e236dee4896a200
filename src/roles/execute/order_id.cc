#include "roles/execute/order_id.h"

namespace harrier::roles::execute {

std::string initials(std::string_view name) {
  std::string out;
  bool word_start = true;
  for (char c : name) {
    if (c == '_' || c == '-') {
      word_start = true;
      continue;
    }
    if (word_start) out.push_back(c);
    word_start = false;
  }
  return out.empty() ? std::string("s") : out;
}

std::string entry_order_id(std::string_view strategy, std::string_view sym, Side side, Interval iv,
                           TimestampNs bar_start_ns) {
  const std::string tail = "-" + std::string(side_name(side)) + "-" +
                           std::string(interval_name(iv)) + "-" +
                           std::to_string(floor_div(bar_start_ns, kNsPerSec));
  std::string id = std::string(strategy) + "-" + std::string(sym) + tail;
  if (id.size() <= kMaxOrderIdBytes) return id;
  const std::string head = initials(strategy) + "-";
  const std::size_t room = kMaxOrderIdBytes - std::min(kMaxOrderIdBytes, head.size() + tail.size());
  return head + std::string(sym.substr(0, room)) + tail;
}

std::string exit_order_id(std::string_view entry_order_id) {
  std::string id = "x-" + std::string(entry_order_id);
  if (id.size() > kMaxOrderIdBytes) id.resize(kMaxOrderIdBytes);
  return id;
}

std::string flatten_order_id(std::string_view sym, TimestampNs trigger_ns) {
  std::string id = "x-flat-" + std::string(sym) + "-" + std::to_string(trigger_ns);
  if (id.size() > kMaxOrderIdBytes) id.resize(kMaxOrderIdBytes);
  return id;
}

}  // namespace harrier::roles::execute
