#include "market/trade_rule.h"

#include <array>
#include <utility>

namespace harrier {
namespace {
constexpr std::array<std::pair<std::string_view, std::uint32_t>, 9> kFlagNames = {{
    {"odd_lot", kTradeFlagOddLot},
    {"extended_hours", kTradeFlagExtendedHours},
    {"out_of_sequence", kTradeFlagOutOfSequence},
    {"suspicious", kTradeFlagSuspicious},
    {"average_price", kTradeFlagAveragePrice},
    {"open_close", kTradeFlagOpenClose},
    {"no_last", kTradeFlagNoLast},
    {"intermarket_sweep", kTradeFlagIntermarketSweep},
    {"seller", kTradeFlagSeller},
}};
}  // namespace

Result<std::uint32_t> TradeRule::parse_flags(std::string_view text) {
  if (text == "none" || text.empty()) return 0u;
  std::uint32_t flags = 0;
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string_view name = text.substr(0, comma);
    bool found = false;
    for (const auto& [n, bit] : kFlagNames) {
      if (n == name) {
        flags |= bit;
        found = true;
      }
    }
    if (!found) {
      return invalid_input(
          "unknown trade flag '" + std::string(name) +
          "' (expected suspicious, odd_lot, extended_hours, out_of_sequence, "
          "average_price, open_close, no_last, intermarket_sweep, seller or none)");
    }
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return flags;
}

std::string TradeRule::format_flags(std::uint32_t flags) {
  std::string out;
  for (const auto& [n, bit] : kFlagNames) {
    if ((flags & bit) == 0) continue;
    if (!out.empty()) out += ',';
    out += n;
  }
  return out.empty() ? "none" : out;
}

}  // namespace harrier
