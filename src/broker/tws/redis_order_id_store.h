// The Redis OrderIdStore: the next TWS order id of one client id in
// `ib:next_order_id:{client_id}` (bus/keys.h; ARCHITECTURE §2). One process owns a client id,
// so a plain GET/SET is enough; save_next only ever raises the value. Uses a bus::Connection
// the caller owns (borrowed; must outlive the store). Not thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "broker/tws/order_ids.h"
#include "bus/connection.h"

namespace harrier::tws {

class RedisOrderIdStore final : public OrderIdStore {
 public:
  RedisOrderIdStore(bus::Connection& redis, std::int32_t client_id);

  // 0 when the key does not exist; kInvalidInput naming the key when it is not a positive id;
  // the connection's error (kUnavailable...) when Redis cannot be read.
  Result<std::int64_t> load_next() override;
  Status save_next(std::int64_t next) override;
  const std::string& key() const { return key_; }

 private:
  bus::Connection& redis_;
  std::string key_;
};

}  // namespace harrier::tws
