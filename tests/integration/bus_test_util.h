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

// One server for every test of the suite; FLUSHALL before each test.
class RedisSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    harrier::testing::RedisServerOptions opts;
    opts.unix_socket = true;
    auto s = harrier::testing::RedisServer::start(opts);
    ASSERT_TRUE(s) << s.error().to_string();
    server_ = std::move(s).value().release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    auto r = server_->raw_command("FLUSHALL");
    ASSERT_TRUE(r && *r == "+OK");
  }
  static harrier::testing::RedisServer& server() { return *server_; }

  static inline harrier::testing::RedisServer* server_ = nullptr;
};

}  // namespace harrier::bus::test
