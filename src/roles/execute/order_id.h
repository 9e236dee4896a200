// Deterministic client order ids (issue #5): the same bar and strategy always give the same id,
// so a replayed or redelivered bar finds order:{id} already created (NX) and never sends a
// second order.
//   entry: "<strategy>-<SYM>-<side>-<iv>-<bar_start_s>", e.g.
//          "ema_rsi_confluence-SPY-buy-1m-1381152600" (bar start in whole seconds, UTC epoch);
//          when that is longer than 64 bytes the strategy name is shortened to its initials
//          ("erc"), then the symbol is cut to fit
//   exit:  "x-" + the entry's id (cut to 64 bytes the same way if needed)
//   flatten of a position nobody opened (watchdog): "x-flat-<SYM>-<trigger_ns>"
// Every id passes bus::keys::validate_order_id. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/interval.h"
#include "core/types.h"

namespace harrier::roles::execute {

inline constexpr std::size_t kMaxOrderIdBytes = 64;

// "ema_rsi_confluence" -> "erc": the first letter of each '_'/'-' separated word.
std::string initials(std::string_view name);

std::string entry_order_id(std::string_view strategy, std::string_view sym, Side side, Interval iv,
                           TimestampNs bar_start_ns);
std::string exit_order_id(std::string_view entry_order_id);
std::string flatten_order_id(std::string_view sym, TimestampNs trigger_ns);

}  // namespace harrier::roles::execute
