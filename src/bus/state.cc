#include "bus/state.h"

#include <vector>

#include "bus/keys.h"

namespace harrier::bus {

namespace {

// KEYS[1] = order key, ARGV = field value ... . Returns 1 when created, 0 when it existed.
constexpr std::string_view kCreateNx = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
)lua";

// KEYS[1] = order key, ARGV = field value ... . Returns 1 when updated, 0 when absent.
constexpr std::string_view kUpdateXx = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
)lua";

Result<std::int64_t> eval_hash_script(Connection& c, std::string_view script,
                                      const std::string& key, const Fields& fields) {
  if (fields.empty()) return invalid_input(key + ": no fields to write");
  std::vector<std::string_view> args = {"EVAL", script, "1", key};
  for (const auto& [k, v] : fields) {
    args.push_back(k);
    args.push_back(v);
  }
  HARRIER_ASSIGN_OR_RETURN(Reply r, c.command(args));
  auto n = r.integer();
  if (!n) return Error(n.error()).with_context(key);
  return *n;
}

Status replace_hash(Connection& c, const std::string& key, const Fields& fields) {
  CommandBatch batch;
  batch.add({"MULTI"});
  batch.add({"DEL", key});
  if (!fields.empty()) {
    batch.begin();
    batch.arg("HSET");
    batch.arg(key);
    for (const auto& [k, v] : fields) {
      batch.arg(k);
      batch.arg(v);
    }
  }
  batch.add({"EXEC"});
  std::vector<Reply> replies;
  HARRIER_TRY(c.run(batch, replies));
  for (std::size_t i = 0; i < replies.size(); ++i) {
    HARRIER_TRY(check_reply(replies[i].view(), batch, i));
  }
  const Reply& exec = replies.back();
  if (auto s = exec.array(); !s) return Error(s.error()).with_context("EXEC " + key);
  for (std::size_t i = 0; i < exec.size(); ++i) {
    HARRIER_TRY(check_reply(exec.at(i), batch, i + 1));
  }
  return ok();
}

// The error of a pipeline command whose reply was not read: the run's failure.
Error missing_reply(const Status& run) {
  return run ? protocol_error("pipeline: reply missing") : run.error();
}

// An HGETALL reply as Fields; nullopt for an empty (absent) hash.
Result<std::optional<Fields>> parse_hash(const ReplyView& r, std::string_view key) {
  auto ctx = [&](const Error& e) { return Error(e).with_context("HGETALL " + std::string(key)); };
  if (auto s = r.array(); !s) return ctx(s.error());
  if (r.size() % 2 != 0) return ctx(protocol_error("odd number of field/value items"));
  if (r.size() == 0) return std::optional<Fields>();
  Fields out;
  out.reserve(r.size() / 2);
  for (std::size_t i = 0; i < r.size(); i += 2) {
    auto k = r.at(i).string();
    auto v = r.at(i + 1).string();
    if (!k) return ctx(k.error());
    if (!v) return ctx(v.error());
    out.emplace_back(std::string(*k), std::string(*v));
  }
  return std::optional<Fields>(std::move(out));
}

}  // namespace

Result<std::optional<Fields>> read_hash(Connection& c, std::string_view key) {
  HARRIER_ASSIGN_OR_RETURN(Reply r, c.command({"HGETALL", key}));
  return parse_hash(r.view(), key);
}

namespace {

// HGETALL `key` as command `j` of `batch`: its reply parsed, its error reply, or the run's
// failure when the connection failed before it.
Result<std::optional<Fields>> hash_reply(const std::vector<Reply>& replies, std::size_t j,
                                         const Status& run, const CommandBatch& batch,
                                         const std::string& key) {
  if (j >= replies.size()) return missing_reply(run);
  if (auto st = check_reply(replies[j].view(), batch, j); !st) return std::move(st).error();
  return parse_hash(replies[j].view(), key);
}

}  // namespace

std::vector<Result<std::optional<Fields>>> read_hashes(Connection& c,
                                                       std::span<const std::string> keys) {
  std::vector<Result<std::optional<Fields>>> out;
  out.reserve(keys.size());
  if (keys.empty()) return out;
  CommandBatch batch;
  for (const std::string& key : keys) batch.add({"HGETALL", key});
  std::vector<Reply> replies;
  const Status run = c.run(batch, replies);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    out.push_back(hash_reply(replies, i, run, batch, keys[i]));
  }
  return out;
}

Result<bool> create_order(Connection& c, std::string_view id, const Fields& fields) {
  HARRIER_TRY(keys::validate_order_id(id));
  HARRIER_ASSIGN_OR_RETURN(std::int64_t n, eval_hash_script(c, kCreateNx, keys::order(id), fields));
  return n == 1;
}

std::vector<Result<bool>> create_orders(Connection& c, std::span<const OrderToCreate> orders) {
  std::vector<Result<std::optional<Fields>>> none;
  return create_orders(c, orders, {}, none);
}

std::vector<Result<bool>> create_orders(Connection& c, std::span<const OrderToCreate> orders,
                                        std::span<const std::string> read_keys,
                                        std::vector<Result<std::optional<Fields>>>& read) {
  std::vector<Result<bool>> out(orders.size(), Result<bool>(false));
  read.clear();
  // The batch borrows the keys; sent[j] is the order whose script call is command j.
  std::vector<std::string> order_keys;
  order_keys.reserve(orders.size());
  std::vector<std::size_t> sent;
  CommandBatch batch;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const OrderToCreate& o = orders[i];
    if (auto st = keys::validate_order_id(o.client_order_id); !st) {
      out[i] = std::move(st).error();
      continue;
    }
    order_keys.push_back(keys::order(o.client_order_id));
    if (o.fields->empty()) {
      out[i] = invalid_input(order_keys.back() + ": no fields to write");
      continue;
    }
    batch.begin();
    for (std::string_view a : {std::string_view("EVAL"), kCreateNx, std::string_view("1"),
                               std::string_view(order_keys.back())}) {
      batch.arg(a);
    }
    for (const auto& [k, v] : *o.fields) {
      batch.arg(k);
      batch.arg(v);
    }
    sent.push_back(i);
  }
  for (const std::string& key : read_keys) batch.add({"HGETALL", key});
  if (batch.size() == 0) return out;
  std::vector<Reply> replies;
  const Status run = c.run(batch, replies);
  for (std::size_t j = 0; j < sent.size(); ++j) {
    Result<bool>& r = out[sent[j]];
    if (j >= replies.size()) {
      r = missing_reply(run);
    } else if (auto st = check_reply(replies[j].view(), batch, j); !st) {
      r = std::move(st).error();
    } else if (auto n = replies[j].integer(); !n) {
      r = Error(n.error()).with_context(keys::order(orders[sent[j]].client_order_id));
    } else {
      r = *n == 1;
    }
  }
  read.reserve(read_keys.size());
  for (std::size_t i = 0; i < read_keys.size(); ++i) {
    read.push_back(hash_reply(replies, sent.size() + i, run, batch, read_keys[i]));
  }
  return out;
}

Status update_order(Connection& c, std::string_view id, const Fields& fields) {
  HARRIER_TRY(keys::validate_order_id(id));
  std::string key = keys::order(id);
  HARRIER_ASSIGN_OR_RETURN(std::int64_t n, eval_hash_script(c, kUpdateXx, key, fields));
  if (n != 1) return not_found(key + ": no such order");
  return ok();
}

Result<std::optional<Fields>> read_order(Connection& c, std::string_view id) {
  HARRIER_TRY(keys::validate_order_id(id));
  return read_hash(c, keys::order(id));
}

Status write_position(Connection& c, std::string_view sym, const Fields& fields) {
  return replace_hash(c, keys::position(sym), fields);
}

Result<std::optional<Fields>> read_position(Connection& c, std::string_view sym) {
  return read_hash(c, keys::position(sym));
}

Status write_engine_state(Connection& c, std::string_view sym, Side side, const Fields& fields) {
  return replace_hash(c, keys::engine_state(sym, side), fields);
}

Result<std::optional<Fields>> read_engine_state(Connection& c, std::string_view sym, Side side) {
  return read_hash(c, keys::engine_state(sym, side));
}

Status write_heartbeat(Connection& c, std::string_view role, std::string_view payload_json,
                       std::int64_t ttl_ms) {
  HARRIER_TRY(keys::validate_role(role));
  if (ttl_ms <= 0) return invalid_input("heartbeat ttl must be positive");
  std::string key = keys::heartbeat(role);
  std::string ttl = std::to_string(ttl_ms);
  HARRIER_ASSIGN_OR_RETURN(Reply r, c.command({"SET", key, payload_json, "PX", ttl}));
  if (auto s = expect_status(r.view(), "OK"); !s) return Error(s.error()).with_context(key);
  return ok();
}

Result<std::optional<std::string>> read_heartbeat(Connection& c, std::string_view role) {
  HARRIER_TRY(keys::validate_role(role));
  std::string key = keys::heartbeat(role);
  HARRIER_ASSIGN_OR_RETURN(Reply r, c.command({"GET", key}));
  auto v = copy_string_or_nil(r.view());
  if (!v) return Error(v.error()).with_context(key);
  return v;
}

}  // namespace harrier::bus
