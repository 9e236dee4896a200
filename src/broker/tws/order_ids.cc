#include "broker/tws/order_ids.h"

#include <algorithm>

#include <fmt/format.h>

namespace harrier::tws {

Status OrderIdAllocator::on_next_valid_id(std::int64_t server_next) {
  ready_ = false;
  server_next_ = server_next;
  auto persisted = store_.load_next();
  if (!persisted) return std::move(persisted).error().with_context("order ids: load");
  next_ = std::max({*persisted, server_next, last_ + 1, std::int64_t{1}});
  ready_ = true;
  return ok();
}

Result<std::int64_t> OrderIdAllocator::allocate() {
  if (!ready_ && server_next_ > 0) {
    // The store failed earlier: read it again before handing out anything.
    HARRIER_TRY(on_next_valid_id(server_next_));
  }
  if (!ready_) return unavailable("order ids: no nextValidId in this session");
  const std::int64_t id = next_;
  if (auto st = store_.save_next(id + 1); !st) {
    ready_ = false;  // fail closed until the next session re-reads the store
    return std::move(st).error().with_context(fmt::format("order ids: persist {}", id + 1));
  }
  next_ = id + 1;
  last_ = id;
  return id;
}

}  // namespace harrier::tws
