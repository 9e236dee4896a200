// HARRIER_CHECK: a broken invariant is a bug, not an error. It logs file:line and aborts in
// every build (redis serverAssert). Never use it to validate input: input errors are values.
#pragma once

namespace harrier::detail {
[[noreturn]] void check_failed(const char* file, int line, const char* cond, const char* msg);
}  // namespace harrier::detail

#define HARRIER_CHECK(cond, msg)                                       \
  do {                                                                 \
    if (!(cond)) [[unlikely]] {                                        \
      ::harrier::detail::check_failed(__FILE__, __LINE__, #cond, msg); \
    }                                                                  \
  } while (0)
