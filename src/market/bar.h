// The enriched bar of ARCHITECTURE §3: one row of the Arrow schema. `Bar` is a plain struct
// whose fields are the schema's columns in order; `kBarColumns` describes them once (name,
// type, offset) so the CSV writer, the Arrow codec and the tests iterate one table and can
// never disagree. Units: ts is the bar start in ns since the UTC epoch; prices in the
// instrument's currency; sizes in shares.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

#include "core/types.h"

namespace harrier {

inline constexpr std::int64_t kBarSchemaVersion = 1;

struct Bar {
  // time
  TimestampNs ts = 0;    // bar start
  std::int64_t seq = 0;  // 0, 1, 2, ... per symbol and interval since the engine started
  // price
  double open = kNaN, high = kNaN, low = kNaN, close = kNaN;  // NaN when no trades
  double close_filled = kNaN;  // close, or the previous close_filled when no trades
  double vwap = kNaN;          // sum(price*size)/sum(size) over the bar; NaN when no volume
  double session_vwap = kNaN;  // the same since the session start
  // activity
  std::int64_t volume = 0, trade_count = 0, quote_count = 0, late_ticks = 0;
  bool filled = false;  // true when the bar had no trades and its close was forward-filled
  // quote at seal
  double bid = kNaN, ask = kNaN, bid_size = kNaN, ask_size = kNaN, mid = kNaN, spread = kNaN;
  // flow
  double buy_volume = 0, sell_volume = 0, delta = 0, cum_delta = 0, delta_price = kNaN,
         directional_pressure = 0, dom_hit_rate = kNaN, book_imbalance = kNaN, sweep_count = 0;
  // indicators
  double ema9 = kNaN, ema21 = kNaN, macd = kNaN, macd_signal = kNaN, macd_hist = kNaN, rsi14 = kNaN;
  // flow EMAs (span 9)
  double ema_dom_hit_rate = kNaN, ema_directional_pressure = kNaN, ema_delta_price = kNaN,
         ema_delta = kNaN, ema_book_imbalance = kNaN, ema_buy_volume = kNaN, ema_sell_volume = kNaN,
         ema_volume = kNaN;

  TimestampNs end_ns(DurationNs iv_ns) const { return ts + iv_ns; }
};

static_assert(std::is_standard_layout_v<Bar>);
static_assert(std::is_trivially_copyable_v<Bar>);

enum class ColumnType : std::uint8_t { kTimestampNs, kInt64, kFloat64, kBool };

struct ColumnDef {
  std::string_view name;
  ColumnType type;
  std::size_t offset;  // offsetof(Bar, field)
};

#define HARRIER_COL(field, type) \
  ColumnDef { #field, ColumnType::type, offsetof(Bar, field) }

inline constexpr std::array kBarColumns = {
    HARRIER_COL(ts, kTimestampNs),
    HARRIER_COL(seq, kInt64),
    HARRIER_COL(open, kFloat64),
    HARRIER_COL(high, kFloat64),
    HARRIER_COL(low, kFloat64),
    HARRIER_COL(close, kFloat64),
    HARRIER_COL(close_filled, kFloat64),
    HARRIER_COL(vwap, kFloat64),
    HARRIER_COL(session_vwap, kFloat64),
    HARRIER_COL(volume, kInt64),
    HARRIER_COL(trade_count, kInt64),
    HARRIER_COL(quote_count, kInt64),
    HARRIER_COL(late_ticks, kInt64),
    HARRIER_COL(filled, kBool),
    HARRIER_COL(bid, kFloat64),
    HARRIER_COL(ask, kFloat64),
    HARRIER_COL(bid_size, kFloat64),
    HARRIER_COL(ask_size, kFloat64),
    HARRIER_COL(mid, kFloat64),
    HARRIER_COL(spread, kFloat64),
    HARRIER_COL(buy_volume, kFloat64),
    HARRIER_COL(sell_volume, kFloat64),
    HARRIER_COL(delta, kFloat64),
    HARRIER_COL(cum_delta, kFloat64),
    HARRIER_COL(delta_price, kFloat64),
    HARRIER_COL(directional_pressure, kFloat64),
    HARRIER_COL(dom_hit_rate, kFloat64),
    HARRIER_COL(book_imbalance, kFloat64),
    HARRIER_COL(sweep_count, kFloat64),
    HARRIER_COL(ema9, kFloat64),
    HARRIER_COL(ema21, kFloat64),
    HARRIER_COL(macd, kFloat64),
    HARRIER_COL(macd_signal, kFloat64),
    HARRIER_COL(macd_hist, kFloat64),
    HARRIER_COL(rsi14, kFloat64),
    HARRIER_COL(ema_dom_hit_rate, kFloat64),
    HARRIER_COL(ema_directional_pressure, kFloat64),
    HARRIER_COL(ema_delta_price, kFloat64),
    HARRIER_COL(ema_delta, kFloat64),
    HARRIER_COL(ema_book_imbalance, kFloat64),
    HARRIER_COL(ema_buy_volume, kFloat64),
    HARRIER_COL(ema_sell_volume, kFloat64),
    HARRIER_COL(ema_volume, kFloat64),
};

#undef HARRIER_COL

inline constexpr std::size_t kBarColumnCount = kBarColumns.size();

// Typed access to a column of a Bar through its ColumnDef. REQUIRES: the type matches.
template <typename T>
inline const T& column_ref(const Bar& bar, const ColumnDef& col) {
  return *reinterpret_cast<const T*>(reinterpret_cast<const char*>(&bar) + col.offset);
}
template <typename T>
inline T& column_ref(Bar& bar, const ColumnDef& col) {
  return *reinterpret_cast<T*>(reinterpret_cast<char*>(&bar) + col.offset);
}

// Index of the column called `name` in kBarColumns, or nullopt.
std::optional<std::size_t> bar_column_index(std::string_view name);

}  // namespace harrier
