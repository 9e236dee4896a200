// Shared set-up for the bus integration tests: a real redis-server per test suite (started by
// tests/support/redis_server.h, flushed before each test) and connection settings with short
// timeouts and backoffs so failure cases finish in milliseconds.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "bus/connection.h"
#include "support/redis_server.h"
#include "support/redis_suite.h"

namespace harrier::bus::test {

inline ConnectionConfig fast_config(const std::string& url) {
  ConnectionConfig cfg;
  cfg.url = url;
  cfg.connect_timeout_ns = 500 * kNsPerMs;
  cfg.command_timeout_ns = 500 * kNsPerMs;
  cfg.backoff = BackoffPolicy{.initial_ns = 2 * kNsPerMs, .max_ns = 50 * kNsPerMs, .jitter = 0.5};
  return cfg;
}

// Calls f() until it returns a value (a Result or bool that converts to true) or timeout_ms
// passes; returns the last result. For waiting out a reconnect backoff in integration tests.
template <typename F>
auto eventually(F f, int timeout_ms = 3000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto r = f();
  while (!r && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    r = f();
  }
  return r;
}

using harrier::testing::RedisSuite;  // one server for the suite, FLUSHALL per test

}  // namespace harrier::bus::test
