#include "bus/reply.h"

#include <hiredis/hiredis.h>

#include <optional>

#include "core/check.h"

namespace harrier::bus {

std::string_view reply_type_name(ReplyType t) {
  switch (t) {
    case ReplyType::kString:
      return "bulk string";
    case ReplyType::kArray:
      return "array";
    case ReplyType::kInteger:
      return "integer";
    case ReplyType::kNil:
      return "nil";
    case ReplyType::kStatus:
      return "status";
    case ReplyType::kError:
      return "error";
  }
  return "unknown";
}

void Reply::Free::operator()(redisReply* r) const noexcept { freeReplyObject(r); }

namespace {
Error wrong_type(std::string_view want, ReplyType got, std::string_view text) {
  std::string m = "expected ";
  m += want;
  m += " reply, got ";
  m += reply_type_name(got);
  if (!text.empty()) {
    m += " '";
    m += text.substr(0, 200);
    m += "'";
  }
  return protocol_error(std::move(m));
}
}  // namespace

ReplyType ReplyView::type() const {
  switch (r_->type) {
    case REDIS_REPLY_STRING:
      return ReplyType::kString;
    case REDIS_REPLY_ARRAY:
      return ReplyType::kArray;
    case REDIS_REPLY_INTEGER:
      return ReplyType::kInteger;
    case REDIS_REPLY_NIL:
      return ReplyType::kNil;
    case REDIS_REPLY_STATUS:
      return ReplyType::kStatus;
    default:
      return ReplyType::kError;
  }
}

Result<std::string_view> ReplyView::string() const {
  if (type() != ReplyType::kString) return wrong_type("bulk string", type(), text());
  return std::string_view(r_->str, r_->len);
}

Result<std::optional<std::string_view>> ReplyView::string_or_nil() const {
  if (type() == ReplyType::kNil) return std::optional<std::string_view>();
  if (type() != ReplyType::kString) return wrong_type("bulk string or nil", type(), text());
  return std::optional<std::string_view>(std::string_view(r_->str, r_->len));
}

Result<std::int64_t> ReplyView::integer() const {
  if (type() != ReplyType::kInteger) return wrong_type("integer", type(), text());
  return static_cast<std::int64_t>(r_->integer);
}

Result<std::string_view> ReplyView::status() const {
  if (type() != ReplyType::kStatus) return wrong_type("status", type(), text());
  return std::string_view(r_->str, r_->len);
}

std::string_view ReplyView::text() const {
  switch (type()) {
    case ReplyType::kString:
    case ReplyType::kStatus:
    case ReplyType::kError:
      return r_->str == nullptr ? std::string_view() : std::string_view(r_->str, r_->len);
    default:
      return {};
  }
}

Status ReplyView::array() const {
  if (type() != ReplyType::kArray) return wrong_type("array", type(), text());
  return ok();
}

std::size_t ReplyView::size() const { return type() == ReplyType::kArray ? r_->elements : 0; }

ReplyView ReplyView::at(std::size_t i) const {
  HARRIER_CHECK(type() == ReplyType::kArray && i < r_->elements, "ReplyView::at out of range");
  return ReplyView(r_->element[i]);
}

Status expect_status(const ReplyView& r, std::string_view want) {
  HARRIER_ASSIGN_OR_RETURN(std::string_view s, r.status());
  if (s != want) {
    return protocol_error("expected status '" + std::string(want) + "', got '" + std::string(s) +
                          "'");
  }
  return ok();
}

Result<std::optional<std::string>> copy_string_or_nil(const ReplyView& r) {
  HARRIER_ASSIGN_OR_RETURN(std::optional<std::string_view> s, r.string_or_nil());
  if (!s) return std::optional<std::string>();
  return std::optional<std::string>(std::string(*s));
}

}  // namespace harrier::bus
