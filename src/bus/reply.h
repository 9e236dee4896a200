// Typed access to a Redis reply (RESP2, hiredis 0.14). `Reply` owns one hiredis reply tree
// (freed with freeReplyObject); `ReplyView` is a borrowed pointer into a tree that must outlive
// it. Every accessor checks the type and returns kProtocol naming the expected and the actual
// type instead of reading a wrong union member, so a peer that answers with the wrong type is
// an error, never a crash. Plain values; not shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

struct redisReply;  // hiredis; only bus/*.cc sees its definition

namespace harrier::bus {

enum class ReplyType : std::uint8_t { kString, kArray, kInteger, kNil, kStatus, kError };
std::string_view reply_type_name(ReplyType t);

class ReplyView {
 public:
  // REQUIRES: r != nullptr and outlives the view.
  explicit ReplyView(const redisReply* r) : r_(r) {}

  ReplyType type() const;
  bool is_nil() const { return type() == ReplyType::kNil; }
  bool is_error() const { return type() == ReplyType::kError; }

  // Bulk string bytes (binary safe). kProtocol for any other type.
  Result<std::string_view> string() const;
  // Bulk string or nil (nullopt-like: has_value() false in the inner optional).
  Result<std::optional<std::string_view>> string_or_nil() const;
  Result<std::int64_t> integer() const;
  // Status text ("OK", "QUEUED"). kProtocol for any other type.
  Result<std::string_view> status() const;
  // The text of a status, error or bulk reply, for messages; "" for other types.
  std::string_view text() const;

  // Arrays. size() is 0 for non-arrays; array() checks the type.
  Status array() const;
  std::size_t size() const;
  // REQUIRES: array() ok and i < size().
  ReplyView at(std::size_t i) const;

 private:
  const redisReply* r_;
};

class Reply {
 public:
  struct Free {
    void operator()(redisReply* r) const noexcept;
  };
  // Takes ownership. REQUIRES: r != nullptr.
  explicit Reply(redisReply* r) : r_(r) {}

  ReplyView view() const { return ReplyView(r_.get()); }
  ReplyType type() const { return view().type(); }
  bool is_nil() const { return view().is_nil(); }
  Result<std::string_view> string() const { return view().string(); }
  Result<std::optional<std::string_view>> string_or_nil() const { return view().string_or_nil(); }
  Result<std::int64_t> integer() const { return view().integer(); }
  Result<std::string_view> status() const { return view().status(); }
  std::string_view text() const { return view().text(); }
  Status array() const { return view().array(); }
  std::size_t size() const { return view().size(); }
  ReplyView at(std::size_t i) const { return view().at(i); }

 private:
  std::unique_ptr<redisReply, Free> r_;
};

// Expects a status reply equal to `want` ("OK"); kProtocol otherwise.
Status expect_status(const ReplyView& r, std::string_view want);

// A bulk string or nil reply copied out: nullopt for nil.
Result<std::optional<std::string>> copy_string_or_nil(const ReplyView& r);

}  // namespace harrier::bus
