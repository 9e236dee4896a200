#include "broker/tws/redis_order_id_store.h"

#include <fmt/format.h>

#include "bus/keys.h"
#include "core/text.h"

namespace harrier::tws {

RedisOrderIdStore::RedisOrderIdStore(bus::Connection& redis, std::int32_t client_id)
    : redis_(redis), key_(bus::keys::ib_next_order_id(client_id)) {}

Result<std::int64_t> RedisOrderIdStore::load_next() {
  HARRIER_ASSIGN_OR_RETURN(bus::Reply r, redis_.command({"GET", key_}));
  HARRIER_ASSIGN_OR_RETURN(std::optional<std::string_view> v, r.string_or_nil());
  if (!v) return std::int64_t{0};
  auto id = text::parse_int(*v);
  if (!id || *id <= 0) {
    return invalid_input(fmt::format("{}: not an order id: \"{}\"", key_, *v));
  }
  return *id;
}

Status RedisOrderIdStore::save_next(std::int64_t next) {
  const std::string value = std::to_string(next);
  HARRIER_ASSIGN_OR_RETURN(bus::Reply r, redis_.command({"SET", key_, value}));
  return bus::expect_status(r.view(), "OK");
}

}  // namespace harrier::tws
