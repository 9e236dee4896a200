#include "bus/keys.h"

#include <string>

namespace harrier::bus::keys {

namespace {
std::string join(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(a.size() + b.size());
  out.append(a);
  out.append(b);
  return out;
}
}  // namespace

std::string bars(std::string_view sym, Interval iv) {
  std::string out = join("bars:", sym);
  out.push_back(':');
  out.append(interval_name(iv));
  return out;
}

std::string bundle(std::string_view sym) { return join("bundle:", sym); }
std::string quote(std::string_view sym) { return join("quote:", sym); }

std::string engine_state(std::string_view sym, Side side) {
  std::string out = join("engine_state:", sym);
  out.push_back(':');
  out.append(side_name(side));
  return out;
}

std::string position(std::string_view sym) { return join("position:", sym); }
std::string order(std::string_view client_order_id) { return join("order:", client_order_id); }
std::string heartbeat(std::string_view role) { return join("heartbeat:", role); }
std::string stop_state(std::string_view sym) { return join("stop:", sym); }
std::string stops_guarded() { return "stops:guarded"; }
std::string exit_fired(std::string_view sym, std::string_view entry_order_id) {
  std::string out = join("exit_fired:", sym);
  out.push_back(':');
  out.append(entry_order_id);
  return out;
}
std::string paper_positions() { return "paper:positions"; }
std::string bench(std::string_view what) { return join("bench:", what); }
std::string ib_next_order_id(std::int32_t client_id) {
  return join("ib:next_order_id:", std::to_string(client_id));
}

std::vector<std::string_view> session_key_patterns() {
  return {"bars:*",      "bundle:*", "quote:*",      "engine_state:*", "position:*", "order:*",
          "heartbeat:*", "stop:*",   "exit_fired:*", "paper:*",        "stream:*",   "stops:*"};
}

Status validate_order_id(std::string_view id) {
  if (id.empty() || id.size() > 64) {
    return invalid_input("client order id must be 1..64 bytes, got " + std::to_string(id.size()));
  }
  for (char c : id) {
    if (c <= ' ' || c > '~') {
      return invalid_input("client order id '" + std::string(id) +
                           "' holds a space or a non-printable byte");
    }
  }
  return ok();
}

Status validate_role(std::string_view role) {
  if (role.empty() || role.size() > 32) return invalid_input("role name must be 1..32 bytes");
  for (char c : role) {
    bool good = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!good) return invalid_input("role name '" + std::string(role) + "' has a bad character");
  }
  return ok();
}

std::string_view stream_name(Stream s) {
  switch (s) {
    case Stream::kNewBar:
      return "stream:new_bar";
    case Stream::kSweep:
      return "stream:sweep";
    case Stream::kEntryFire:
      return "stream:entry_fire";
    case Stream::kExitFire:
      return "stream:exit_fire";
    case Stream::kAlert:
      return "stream:alert";
    case Stream::kQuote:
      return "stream:quote";
  }
  return "stream:unknown";
}

}  // namespace harrier::bus::keys
