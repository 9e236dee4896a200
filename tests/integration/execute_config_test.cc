// Bad config values make `harrier execute` exit with code 2 and a message naming the key,
// before it touches Redis.
#include "execute_test_util.h"

namespace harrier::execute_test {
namespace {

struct BadValue {
  std::string set;
  std::string key;
};

class ExecuteConfig : public ::testing::TestWithParam<BadValue> {};

TEST_P(ExecuteConfig, ExitCode2NamingTheKey) {
  char dir_template[] = "/tmp/harrier-p2-config-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string log = std::string(dir_template) + "/p2.log";
  Process p({HARRIER_BINARY, "execute", "--redis", "unix:/nonexistent/redis.sock", "--set",
             GetParam().set},
            log);
  auto st = p.wait(10000);
  ASSERT_TRUE(st);
  EXPECT_EQ(*st, 2) << p.log();
  EXPECT_NE(p.log().find("'" + GetParam().key + "'"), std::string::npos) << p.log();
  std::remove(log.c_str());
  ::rmdir(dir_template);
}

INSTANTIATE_TEST_SUITE_P(
    BadValues, ExecuteConfig,
    ::testing::Values(BadValue{"strategy.rsi_min=200", "strategy.rsi_min"},
                      BadValue{"broker.kind=carrier-pigeon", "broker.kind"},
                      BadValue{"strategy.name=nope", "strategy.name"},
                      BadValue{"strategy.intervals=1m,7m", "strategy.intervals"},
                      BadValue{"strategy.intervals=", "strategy.intervals"},
                      BadValue{"strategy.qty=0", "strategy.qty"},
                      BadValue{"broker.order_timeout_ms=-5", "broker.order_timeout_ms"},
                      BadValue{"broker.slippage_bps=nan", "broker.slippage_bps"}));

}  // namespace
}  // namespace harrier::execute_test
