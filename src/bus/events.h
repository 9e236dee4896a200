// Typed events of the four streams of ARCHITECTURE §2, with exactly the fields listed there.
// encode() gives the field/value pairs for XADD; decode_*() validates every field of an entry
// read back (present, parseable, in range) and returns kInvalidInput naming the field, so a bad
// entry is reported and skipped by its consumer, never trusted. Numbers are decimal text:
// integers plainly, doubles in the shortest round-trip form. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bus/keys.h"
#include "core/interval.h"
#include "core/result.h"
#include "core/types.h"

namespace harrier::bus {

// Field/value pairs of one stream entry or hash, in order.
using Fields = std::vector<std::pair<std::string, std::string>>;

// stream:new_bar — P1 on each seal.
struct NewBarEvent {
  std::string sym;
  Interval iv = Interval::k1s;
  TimestampNs bar_start_ns = 0;
  std::int64_t seq = 0;
  TimestampNs sealed_ns = 0;  // wall time of the seal (P1's bar thread, before the encode)
  // Wall time at which P1's IO thread began writing the pipeline holding this seal: the
  // publish time new_bar -> P2 wake is measured from. 0 when absent (entries written before
  // the field existed, or by tests), so readers fall back to sealed_ns.
  TimestampNs published_ns = 0;
  static constexpr keys::Stream kStream = keys::Stream::kNewBar;
};

// stream:sweep — P1 on a tape sweep.
struct SweepEvent {
  std::string sym;
  Side side = Side::kBuy;
  std::int64_t levels = 0;  // price levels consumed (>= 2)
  std::int64_t volume = 0;  // shares
  TimestampNs ts_ns = 0;
  static constexpr keys::Stream kStream = keys::Stream::kSweep;
};

// One change of a symbol's prices, as stream:quote carries the earlier changes of an entry.
struct QuotePoint {
  TimestampNs ts_ns = 0;
  double bid = kNaN, ask = kNaN, last = kNaN;
  bool operator==(const QuotePoint&) const = default;
};

// stream:quote — P1, every change of bid, ask or last of a symbol in stops:guarded (a change of
// sizes alone is not published), so P3 is woken by the quote that crosses a stop instead of
// polling quote:{sym}. Nothing is coalesced away: when a symbol changes again while its previous
// entry still waits for P1's IO thread, the change joins that entry, whose own fields become the
// newest change and whose `path` lists the earlier ones, oldest first (ARCHITECTURE §3).
struct QuoteEvent {
  std::string sym;
  double bid = kNaN, ask = kNaN, bid_size = kNaN, ask_size = kNaN, last = kNaN;
  TimestampNs ts_ns = 0;  // exchange time of the tick that changed the quote
  // The earlier changes, oldest first: field "path" = "ts,bid,ask,last;ts,bid,ask,last..."
  // (absent when empty). Sizes are the newest change's only.
  std::vector<QuotePoint> path;
  QuotePoint point() const { return {ts_ns, bid, ask, last}; }
  static constexpr keys::Stream kStream = keys::Stream::kQuote;
};

// stream:entry_fire — P2 on an entry fill.
struct EntryFireEvent {
  std::string sym;
  Side side = Side::kBuy;
  std::int64_t qty = 0;
  double price = 0;
  std::string client_order_id;
  TimestampNs ts_ns = 0;
  static constexpr keys::Stream kStream = keys::Stream::kEntryFire;
};

// stream:exit_fire — P3 when a stop triggers.
struct ExitFireEvent {
  std::string sym;
  std::string reason;  // 1..64 printable bytes, e.g. "trailing_stop"
  double stop_price = 0;
  TimestampNs trigger_ns = 0;
  static constexpr keys::Stream kStream = keys::Stream::kExitFire;
};

// stream:alert — P3's watchdog (and any role) on something an operator must see.
struct AlertEvent {
  std::string sym;     // may be "*" when the alert is not about one symbol
  std::string kind;    // 1..64 printable bytes, e.g. "rogue_position", "size_mismatch"
  std::string detail;  // free text for humans (at most 1024 bytes)
  TimestampNs ts_ns = 0;
  static constexpr keys::Stream kStream = keys::Stream::kAlert;
};

Fields encode(const NewBarEvent& e);
Fields encode(const SweepEvent& e);
Fields encode(const EntryFireEvent& e);
Fields encode(const ExitFireEvent& e);
Fields encode(const AlertEvent& e);
Fields encode(const QuoteEvent& e);

Result<NewBarEvent> decode_new_bar(const Fields& f);
Result<SweepEvent> decode_sweep(const Fields& f);
Result<EntryFireEvent> decode_entry_fire(const Fields& f);
Result<ExitFireEvent> decode_exit_fire(const Fields& f);
Result<AlertEvent> decode_alert(const Fields& f);
// NaN is allowed for every price and size (a side not quoted yet); ts_ns must be >= 0.
Result<QuoteEvent> decode_quote_event(const Fields& f);

// decode<E>(fields) for generic consumers.
template <typename E>
Result<E> decode(const Fields& f);
template <>
inline Result<NewBarEvent> decode<NewBarEvent>(const Fields& f) {
  return decode_new_bar(f);
}
template <>
inline Result<SweepEvent> decode<SweepEvent>(const Fields& f) {
  return decode_sweep(f);
}
template <>
inline Result<EntryFireEvent> decode<EntryFireEvent>(const Fields& f) {
  return decode_entry_fire(f);
}
template <>
inline Result<ExitFireEvent> decode<ExitFireEvent>(const Fields& f) {
  return decode_exit_fire(f);
}
template <>
inline Result<AlertEvent> decode<AlertEvent>(const Fields& f) {
  return decode_alert(f);
}
template <>
inline Result<QuoteEvent> decode<QuoteEvent>(const Fields& f) {
  return decode_quote_event(f);
}

}  // namespace harrier::bus
