// Errors as values. `Error` carries a code and a message that gathers context on the way up
// ("bars:SPY:5s: arrow: buffer 3 out of range"). `Result<T>` holds a T or an Error and follows
// the std::expected API (has_value, value, error, operator bool, operator*, operator->) so it
// can become an alias for std::expected once Harrier moves to C++23. `Status` is Result<void>.
// Thread-safety: plain values; no shared state.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/check.h"

namespace harrier {

enum class ErrorCode {
  kInvalidInput,  // bad input from outside: a malformed line, a bad config value, corrupt bytes
  kNotFound,      // a key, file or symbol that does not exist
  kIo,            // a read or write to a file or socket failed
  kProtocol,      // a peer spoke the wrong protocol (Redis reply type, TWS message)
  kTimeout,       // a deadline passed
  kUnavailable,   // a dependency is down (Redis, broker); retry later
  kUnsupported,   // valid input that Harrier does not handle (an Arrow type, a message)
  kInternal,      // a broken invariant that was caught without crashing
};

std::string_view error_code_name(ErrorCode code);

class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with `where: `, so the final text names the place.
  Error with_context(std::string_view where) && {
    message_.insert(0, std::string(where) + ": ");
    return std::move(*this);
  }
  Error with_context(std::string_view where) const& { return Error(*this).with_context(where); }

  // "invalid input: file.csv:12: price is NaN"
  std::string to_string() const;

 private:
  ErrorCode code_;
  std::string message_;
};

// Factories keep call sites short: return invalid_input("line {}: ...").
inline Error invalid_input(std::string m) { return {ErrorCode::kInvalidInput, std::move(m)}; }
inline Error not_found(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Error io_error(std::string m) { return {ErrorCode::kIo, std::move(m)}; }
inline Error protocol_error(std::string m) { return {ErrorCode::kProtocol, std::move(m)}; }
inline Error timeout_error(std::string m) { return {ErrorCode::kTimeout, std::move(m)}; }
inline Error unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
inline Error unsupported(std::string m) { return {ErrorCode::kUnsupported, std::move(m)}; }
inline Error internal_error(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  // REQUIRES: has_value(). Checked in every build: reading a value that is not there is a bug.
  T& value() & { return checked(); }
  const T& value() const& { return const_cast<Result*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T& operator*() & { return checked(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !has_value().
  const Error& error() const& {
    HARRIER_CHECK(!has_value(), "Result::error() on a value");
    return std::get<1>(v_);
  }
  Error&& error() && {
    HARRIER_CHECK(!has_value(), "Result::error() on a value");
    return std::get<1>(std::move(v_));
  }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  T& checked() {
    HARRIER_CHECK(has_value(), "Result::value() on an error");
    return std::get<0>(v_);
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const { HARRIER_CHECK(ok_, "Status::value() on an error"); }
  const Error& error() const& {
    HARRIER_CHECK(!ok_, "Status::error() on success");
    return error_;
  }
  Error&& error() && {
    HARRIER_CHECK(!ok_, "Status::error() on success");
    return std::move(error_);
  }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;
inline Status ok() { return {}; }

}  // namespace harrier

// Returns the error of a Result/Status expression from the enclosing function.
#define HARRIER_TRY(expr)                                \
  do {                                                   \
    if (auto harrier_try_r_ = (expr); !harrier_try_r_) { \
      return std::move(harrier_try_r_).error();          \
    }                                                    \
  } while (0)

// Assigns the value of a Result expression to `lhs`, or returns its error.
#define HARRIER_ASSIGN_OR_RETURN(lhs, expr) \
  HARRIER_ASSIGN_OR_RETURN_IMPL(HARRIER_CONCAT(harrier_r_, __LINE__), lhs, expr)
#define HARRIER_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp) return std::move(tmp).error();            \
  lhs = std::move(tmp).value()
#define HARRIER_CONCAT_INNER(a, b) a##b
#define HARRIER_CONCAT(a, b) HARRIER_CONCAT_INNER(a, b)
