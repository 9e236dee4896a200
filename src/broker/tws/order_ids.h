// Order-id integrity across reconnects and restarts. TWS order ids are per client id, strictly
// increasing, and must be >= the last nextValidId; reusing one is rejected (103) or, worse,
// mistaken for an old order. Harrier persists the next id to use (highest used + 1) before an
// id leaves the process, so a restarted process never reuses one even when TWS forgot (a
// gateway restart can hand back a lower nextValidId). The next id is
// max(persisted, nextValidId, last allocated + 1).
// OrderIdStore is the persistence plug point: RedisOrderIdStore (redis_order_id_store.h) in
// production, InMemoryOrderIdStore for unit tests of the connection.
// Owned by the connection's thread; not thread-safe.
#pragma once

#include <cstdint>

#include "core/result.h"

namespace harrier::tws {

class OrderIdStore {
 public:
  OrderIdStore() = default;
  virtual ~OrderIdStore() = default;
  OrderIdStore(const OrderIdStore&) = delete;
  OrderIdStore& operator=(const OrderIdStore&) = delete;

  // The persisted next id (highest used + 1), or 0 when none was ever stored. kUnavailable when
  // the store cannot be read; kInvalidInput naming the key when what is stored is not an id.
  virtual Result<std::int64_t> load_next() = 0;
  // Persists `next` (only ever called with a larger value than the last one).
  virtual Status save_next(std::int64_t next) = 0;
};

class InMemoryOrderIdStore final : public OrderIdStore {
 public:
  Result<std::int64_t> load_next() override { return next_; }
  Status save_next(std::int64_t next) override {
    next_ = next;
    ++saves_;
    return ok();
  }
  std::int64_t next() const { return next_; }
  int saves() const { return saves_; }

 private:
  std::int64_t next_ = 0;
  int saves_ = 0;
};

class OrderIdAllocator {
 public:
  // `store` must outlive the allocator.
  explicit OrderIdAllocator(OrderIdStore& store) : store_(store) {}

  // A session delivered nextValidId. Reads the store and sets the next id to
  // max(persisted, server_next, last allocated + 1). On a store error the allocator stays
  // unusable (allocate fails: fail closed) and the error is returned.
  Status on_next_valid_id(std::int64_t server_next);
  // Returns an id after persisting id + 1. kUnavailable before the first nextValidId or when
  // the store fails (then no id is handed out: an id that was not persisted is never sent).
  // After a store failure the next call reads the store again first.
  Result<std::int64_t> allocate();

  bool ready() const { return ready_; }
  std::int64_t peek_next() const { return next_; }
  std::int64_t last_allocated() const { return last_; }

 private:
  OrderIdStore& store_;
  std::int64_t next_ = 0;
  std::int64_t last_ = 0;
  std::int64_t server_next_ = 0;  // the last nextValidId (0: none yet)
  bool ready_ = false;
};

}  // namespace harrier::tws
