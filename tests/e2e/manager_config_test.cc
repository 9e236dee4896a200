// `harrier up` refuses a bad config before it starts anything (issue #6, check 4): exit code 2,
// the key named on stderr, no run directory created, no process started.
#include <gtest/gtest.h>

#include <fstream>

#include "manager_test_util.h"

namespace harrier::manager_test {
namespace {

struct Case {
  std::vector<std::string> args;
  std::string key;  // must appear in the message
};

void expect_refused(const Case& c) {
  const std::string dir = temp_dir();
  std::vector<std::string> argv = {HARRIER_BINARY, "up", "--run-dir", dir + "/run"};
  argv.insert(argv.end(), c.args.begin(), c.args.end());
  ChildProcess up(argv, dir + "/console.log");
  ASSERT_EQ(up.wait(20000), 2) << up.output();
  const std::string out = up.output();
  EXPECT_NE(out.find("'" + c.key + "'"), std::string::npos) << out;
  EXPECT_FALSE(exists(dir + "/run")) << "run directory created before the config was checked";
  EXPECT_EQ(out.find("start "), std::string::npos) << out;
  EXPECT_EQ(out.find("private Redis"), std::string::npos) << out;
}

TEST(ManagerConfig, UnknownKey) {
  expect_refused({{"--set", "manager.no_such_key=1"}, "manager.no_such_key"});
}

TEST(ManagerConfig, UnknownKeyInTheFile) {
  const std::string dir = temp_dir();
  std::ofstream(dir + "/h.toml") << "[manager]\nstagger_ms = 10\nnot_a_key = true\n";
  expect_refused({{"--config", dir + "/h.toml"}, "manager.not_a_key"});
}

TEST(ManagerConfig, BadCpuList) {
  expect_refused({{"--set", "manager.cpu_execute=4-x"}, "manager.cpu_execute"});
  // Well-formed, but not CPUs of this machine (the test never runs on 4096 CPUs).
  expect_refused({{"--set", "manager.cpu_ingest=4095"}, "manager.cpu_ingest"});
}

TEST(ManagerConfig, MissingRedisServerBinary) {
  expect_refused(
      {{"--set", "manager.redis_server=/nonexistent/redis-server"}, "manager.redis_server"});
}

TEST(ManagerConfig, BadRoleValueIsCaughtBeforeTheRoleStarts) {
  expect_refused({{"--set", "telemetry.http=0.0.0.0:notaport"}, "telemetry.http"});
}

TEST(ManagerConfig, UsageError) {
  const std::string dir = temp_dir();
  ChildProcess up({HARRIER_BINARY, "up", "--no-such-option"}, dir + "/console.log");
  EXPECT_EQ(up.wait(20000), 2) << up.output();
  EXPECT_NE(up.output().find("--no-such-option"), std::string::npos) << up.output();
}

}  // namespace
}  // namespace harrier::manager_test
