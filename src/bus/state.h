// State keys of ARCHITECTURE §2 written by P2 and each role: order:{id} (created with NX, so a
// retried submission can never create a second order), position:{sym},
// engine_state:{sym}:{side} and heartbeat:{role} (a string with a TTL, so a dead role's
// heartbeat disappears). Hash contents are field/value pairs chosen by their writer; this
// module only stores them. All calls run on the caller's Connection and thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bus/connection.h"
#include "bus/events.h"

namespace harrier::bus {

// Creates order:{id} with `fields` only if the key does not exist (atomically, one Lua script).
// Returns true when created, false when an order with this id exists already (left untouched).
// kInvalidInput for a bad id or empty fields.
Result<bool> create_order(Connection& c, std::string_view client_order_id, const Fields& fields);
// HSET on an existing order; kNotFound naming the key when it does not exist.
Status update_order(Connection& c, std::string_view client_order_id, const Fields& fields);
// nullopt when the order does not exist.
Result<std::optional<Fields>> read_order(Connection& c, std::string_view client_order_id);

// Replaces the whole hash (DEL + HSET in one transaction). Empty fields delete the key.
Status write_position(Connection& c, std::string_view sym, const Fields& fields);
Result<std::optional<Fields>> read_position(Connection& c, std::string_view sym);
Status write_engine_state(Connection& c, std::string_view sym, Side side, const Fields& fields);
Result<std::optional<Fields>> read_engine_state(Connection& c, std::string_view sym, Side side);

// SET heartbeat:{role} payload PX ttl_ms. REQUIRES: ttl_ms > 0.
Status write_heartbeat(Connection& c, std::string_view role, std::string_view payload_json,
                       std::int64_t ttl_ms);
// nullopt when absent or expired.
Result<std::optional<std::string>> read_heartbeat(Connection& c, std::string_view role);

// HGETALL of any key: nullopt when the key does not exist.
Result<std::optional<Fields>> read_hash(Connection& c, std::string_view key);

}  // namespace harrier::bus
