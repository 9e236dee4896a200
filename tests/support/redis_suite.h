// A GoogleTest fixture base for suites that share one private redis-server (a free loopback
// TCP port and a unix socket): started once per suite, FLUSHALL before each test, stopped
// after the suite. Suites derive from it and call RedisSuite::SetUp() first in their own SetUp().
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "support/redis_server.h"

namespace harrier::testing {

class RedisSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    RedisServerOptions opts;
    opts.unix_socket = true;
    auto s = RedisServer::start(opts);
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
  static RedisServer& server() { return *server_; }

  static inline RedisServer* server_ = nullptr;
};

}  // namespace harrier::testing
