// What P3 reads about positions (ARCHITECTURE §2): the engine's view, position:{sym} written by
// P2 (qty, avg_price, entry_order_id, opened_ns, updated_ns), and the broker's view,
// paper:positions (field = symbol, value = signed qty). Every value is validated here, at the
// boundary: a bad hash is kInvalidInput naming the key and field, reported and skipped by the
// caller, never trusted. All calls run on the caller's Connection and thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/connection.h"
#include "bus/events.h"
#include "risk/watchdog.h"

namespace harrier::roles::telemetry {

struct Position {
  std::string sym;
  std::int64_t qty = 0;  // signed shares, > 0 long
  double avg_price = 0;
  std::string entry_order_id;
};

// Validates the fields of position:{sym}. nullopt for qty 0 (flat); kInvalidInput naming the
// key and the field for a missing or bad value.
Result<std::optional<Position>> parse_position(std::string_view sym, const bus::Fields& f);

// Field/value pairs of an HGETALL reply (flat array). kProtocol for another shape.
Result<bus::Fields> hash_fields(const bus::ReplyView& r);

// Symbols with a position:{sym} key (SCAN MATCH position:*), sorted.
Result<std::vector<std::string>> position_symbols(bus::Connection& c);

struct PositionRead {
  std::map<std::string, Position, std::less<>> open;  // by symbol
  // Symbols whose hash failed validation, with the error: their state is unknown, so a caller
  // keeps what it knew about them rather than treating them as flat.
  std::vector<std::pair<std::string, Error>> bad;
};
// Every open position: SCAN, then one pipeline of HGETALL. A position that disappears between
// the two is flat.
Result<PositionRead> read_positions(bus::Connection& c);

// HGETALL paper:positions. Fields whose symbol or quantity does not validate go to `bad` (as
// kInvalidInput naming the field); quantities of 0 are left out.
struct BrokerRead {
  risk::PositionMap held;
  std::vector<Error> bad;
};
Result<BrokerRead> read_broker_positions(bus::Connection& c);

}  // namespace harrier::roles::telemetry
