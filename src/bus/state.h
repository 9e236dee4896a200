// State keys of ARCHITECTURE §2 written by P2 and each role: order:{id} (created with NX, so a
// retried submission can never create a second order), position:{sym},
// engine_state:{sym}:{side} and heartbeat:{role} (a string with a TTL, so a dead role's
// heartbeat disappears). Hash contents are field/value pairs chosen by their writer; this
// module only stores them. All calls run on the caller's Connection and thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

// create_order for several orders in one round trip (one pipeline, one script call per order,
// run by Redis in the given order, so a repeated id is created once and found existing after).
// out[i] is what create_order would return for orders[i]: true when created, false when it
// existed, kInvalidInput for a bad id or empty fields (that order is not sent), the error reply
// of its own script call, or, after a connection failure, the failure for every order whose
// reply was not read (which Redis may or may not have run). `fields` are borrowed for the call.
struct OrderToCreate {
  std::string_view client_order_id;
  const Fields* fields = nullptr;  // REQUIRES: not null
};
std::vector<Result<bool>> create_orders(Connection& c, std::span<const OrderToCreate> orders);
// The same, and in the same round trip (after the creates) read_hashes of `read_keys` into
// `read` (one result per key, as read_hashes gives them): P2 reads the quotes its broker fills
// against with the orders it creates (one round trip a batch fewer, issue #7).
std::vector<Result<bool>> create_orders(Connection& c, std::span<const OrderToCreate> orders,
                                        std::span<const std::string> read_keys,
                                        std::vector<Result<std::optional<Fields>>>& read);

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
// read_hash of each key in one round trip (one pipeline): out[i] as read_hash(keys[i]) would
// return, an error reply spoiling only its own key; after a connection failure, the failure for
// every key whose reply was not read.
std::vector<Result<std::optional<Fields>>> read_hashes(Connection& c,
                                                       std::span<const std::string> keys);

}  // namespace harrier::bus
