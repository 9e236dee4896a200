// What the three parts of P2's engine (engine.cc, engine_bars.cc, engine_orders.cc) share.
// Internal to src/roles/execute.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace harrier::roles::execute {

inline constexpr std::string_view kTag = "execute";

// Connection trouble: retry later without acknowledging. Anything else is bad input that
// retrying cannot fix.
inline bool transient(const Error& e) {
  return e.code() == ErrorCode::kUnavailable || e.code() == ErrorCode::kTimeout ||
         e.code() == ErrorCode::kProtocol || e.code() == ErrorCode::kIo;
}

// An order:{id} state after which nothing more happens to the order.
inline bool terminal_state(std::string_view s) {
  return s == "filled" || s == "rejected" || s == "cancelled";
}

inline std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline TimestampNs wall_now() { return SystemClock::instance().now_ns(); }

}  // namespace harrier::roles::execute
