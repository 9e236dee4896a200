// P2's Redis records (ARCHITECTURE §2, issue #5 shared design): the fields of order:{id},
// position:{sym} and engine_state:{sym}:{side}, quote:{sym} read back for the paper broker, the
// paper broker's account paper:positions, and the fill transaction. Field names are exactly
// those of the shared design; numbers are decimal text, doubles in shortest round-trip form.
// All calls run on P2's main thread and its Connection.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/broker.h"
#include "bus/connection.h"
#include "bus/events.h"
#include "core/interval.h"
#include "strategy/strategy.h"

namespace harrier::roles::execute {

// order:{id}.purpose
enum class Purpose : std::uint8_t { kEntry, kExit };
inline std::string_view purpose_name(Purpose p) { return p == Purpose::kEntry ? "entry" : "exit"; }

// Everything order:{id} holds when it is created (state "new", nothing filled).
bus::Fields new_order_fields(const broker::OrderRequest& o, Purpose purpose,
                             std::string_view strategy, Interval iv, TimestampNs bar_start_ns,
                             TimestampNs now_ns);

// position:{sym}. Flat = key deleted.
struct PositionRecord {
  std::int64_t qty = 0;  // signed shares, > 0 long
  double avg_price = 0;
  std::string entry_order_id;
  TimestampNs opened_ns = 0;
  TimestampNs updated_ns = 0;
};
bus::Fields position_fields(const PositionRecord& p);
// kInvalidInput naming the field that is missing or does not parse.
Result<PositionRecord> parse_position(const bus::Fields& f);

// engine_state:{sym}:{side}.
struct EngineRecord {
  std::string last_decision;  // entered | skipped:<reason> | halted
  TimestampNs last_bar_ns = 0;
  bool halted = false;
  std::string halt_reason;
  TimestampNs updated_ns = 0;
};
bus::Fields engine_fields(const EngineRecord& e);
EngineRecord parse_engine(const bus::Fields& f);  // missing fields keep their defaults

// The value of `name` in `f`, or nullopt.
std::optional<std::string_view> field(const bus::Fields& f, std::string_view name);

// quote:{sym}'s fields (read as `key`) as a Quote: nullopt when absent; kInvalidInput naming
// the key and the field that does not parse.
Result<std::optional<strategy::Quote>> parse_quote(const std::optional<bus::Fields>& f,
                                                   const std::string& key);
// HGETALL quote:{sym}: nullopt when absent; kInvalidInput naming the field that does not parse.
Result<std::optional<strategy::Quote>> read_quote(bus::Connection& c, std::string_view sym);
// read_quote of every symbol in one round trip (one pipeline): out[i] as read_quote(syms[i])
// would return; after a connection failure, the failure for every quote not read.
std::vector<Result<std::optional<strategy::Quote>>> read_quotes(bus::Connection& c,
                                                                std::span<const std::string> syms);

// paper:positions: the whole account, and one symbol (0 when absent). A value that is not an
// integer is kInvalidInput naming the symbol.
Result<std::vector<std::pair<std::string, std::int64_t>>> read_paper_account(bus::Connection& c);
Result<std::int64_t> read_paper_position(bus::Connection& c, std::string_view sym);

// One fill, written as one MULTI/EXEC transaction in one round trip, so order:{id}, the paper
// account, position:{sym} and stream:entry_fire never disagree:
//   paper:positions[sym] += signed fill qty (field deleted at 0); HSET order:{id} state,
//   filled_qty, avg_fill_price, updated_ns; position:{sym} replaced (deleted when qty is 0),
//   only when `position` is set; XADD stream:entry_fire for entry fills.
struct FillWrite {
  const broker::OrderEvent* event = nullptr;
  Purpose purpose = Purpose::kEntry;
  std::optional<PositionRecord> position;  // nullopt: position:{sym} is left alone
  TimestampNs now_ns = 0;
  std::size_t stream_maxlen = 100'000;
  bool paper_account = true;  // mirror the fill into paper:positions (the paper broker only)
};
Status write_fill(bus::Connection& c, const FillWrite& w);

// What one broker event writes: a fill (write_fill's writes), or else HSET `fields` on
// order:{id} if it exists (bus::update_order's write: kNotFound naming the key if it does not).
struct EventWrite {
  std::string client_order_id;    // the update's order
  bus::Fields fields;             // the update's fields
  std::optional<FillWrite> fill;  // set: a fill; the rest is unused
};
struct EventsWritten {
  std::size_t written = 0;  // events [0, written) are in Redis
  Status error;             // why events[written] is not; ok when all are
};
// The writes of several events in one round trip: one Lua script writes them in the given
// order and stops at the first event that cannot be written, so nothing after it is written.
// Each event first checks every key it will touch (the order to update exists, no key holds
// the wrong type, the paper account holds an integer) and then writes, so it is written whole
// or not at all (barring an error Redis raises midway, such as out of memory). Being one
// script, each event is one transaction, as write_fill's MULTI/EXEC is. The error names the
// command and key as a failed update_order or write_fill would. After a connection failure
// `written` is 0 and the error is the failure: Redis may have run the script, as with any
// write whose reply was lost.
EventsWritten write_events(bus::Connection& c, std::span<const EventWrite> events);

// write_events in two halves, so its script can share a round trip with other commands (P2
// sends it in the pipeline of its decisions, #7): append() adds the EVAL to a batch, result()
// reads its reply (or the batch's connection failure) exactly as write_events does. The call
// copies what it needs from `events`; the batch borrows from the call until it has run.
class EventsCall {
 public:
  explicit EventsCall(std::span<const EventWrite> events);
  ~EventsCall();
  EventsCall(EventsCall&&) noexcept;
  EventsCall& operator=(EventsCall&&) noexcept;

  // REQUIRES: at least one event; called once.
  void append(bus::CommandBatch& b);
  EventsWritten result(const Result<bus::ReplyView>& reply) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace harrier::roles::execute
