#include "roles/manager/plan.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace harrier::roles::manager {
namespace {

PlanInput input(std::vector<int> cpus = {0, 1}) {
  PlanInput in;
  in.exe = "/usr/bin/harrier";
  in.config_path = "/etc/harrier.toml";
  in.sets = {"feed.kind=sim", "heartbeat.interval_ms=100"};
  in.available_cpus = std::move(cpus);
  return in;
}

TEST(Plan, EveryRoleGetsTheConfigAndEveryOverrideInOrder) {
  auto plan = make_plan(Config{}, input());
  ASSERT_TRUE(plan) << plan.error().to_string();
  ASSERT_EQ(plan->size(), 3u);
  const std::vector<std::string> roles = {"ingest", "execute", "telemetry"};
  for (std::size_t i = 0; i < 3; ++i) {
    const RoleSpec& s = (*plan)[i];
    EXPECT_EQ(s.role, roles[i]);
    EXPECT_EQ(s.argv, (std::vector<std::string>{"/usr/bin/harrier", roles[i], "--config",
                                                "/etc/harrier.toml", "--set", "feed.kind=sim",
                                                "--set", "heartbeat.interval_ms=100"}));
    EXPECT_TRUE(s.cpus.empty());
  }
}

TEST(Plan, RedisUrlIsTheLastOverride) {
  PlanInput in = input();
  in.config_path.clear();
  in.redis_url = "unix:/tmp/x/redis.sock";
  auto plan = make_plan(Config{}, in);
  ASSERT_TRUE(plan);
  const auto& argv = (*plan)[1].argv;
  ASSERT_GE(argv.size(), 2u);
  EXPECT_EQ(argv[argv.size() - 1], "redis.url=unix:/tmp/x/redis.sock");
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "--config"), 0);
}

TEST(Plan, CpuListsArePinnedPerRole) {
  Config c;
  c.manager.cpu_ingest = "0-1";
  c.manager.cpu_telemetry = "3";
  auto plan = make_plan(c, input({0, 1, 2, 3}));
  ASSERT_TRUE(plan) << plan.error().to_string();
  EXPECT_EQ((*plan)[0].cpus, (std::vector<int>{0, 1}));
  EXPECT_TRUE((*plan)[1].cpus.empty());
  EXPECT_EQ((*plan)[2].cpus, (std::vector<int>{3}));
}

TEST(Plan, UnavailableCpuNamesTheKeyAndWhatIsAvailable) {
  Config c;
  c.manager.cpu_execute = "4-7";
  auto plan = make_plan(c, input({0, 1}));
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message().find("manager.cpu_execute"), std::string::npos);
  EXPECT_NE(plan.error().message().find("CPU 4"), std::string::npos);
  EXPECT_NE(plan.error().message().find("available: 0-1"), std::string::npos);
}

TEST(Plan, BadCpuListSyntaxNamesTheKey) {
  for (const char* bad : {"x", "3-1", "1,", "-1"}) {
    auto cpus = check_cpus("manager.cpu_ingest", bad, {0, 1, 2, 3});
    ASSERT_FALSE(cpus) << bad;
    EXPECT_NE(cpus.error().message().find("manager.cpu_ingest"), std::string::npos) << bad;
  }
}

TEST(Plan, TestRoleArgsAppendToOneRole) {
  Config c;
  c.manager.test_role_args = {"telemetry:--bogus"};
  auto plan = make_plan(c, input());
  ASSERT_TRUE(plan);
  EXPECT_EQ((*plan)[2].argv.back(), "--bogus");
  EXPECT_NE((*plan)[0].argv.back(), "--bogus");
  EXPECT_NE((*plan)[1].argv.back(), "--bogus");
  for (const char* bad : {"telemetry", "p4:--x", "ingest:", ":--x"}) {
    c.manager.test_role_args = {bad};
    auto p = make_plan(c, input());
    ASSERT_FALSE(p) << bad;
    EXPECT_NE(p.error().message().find("manager.test_role_args"), std::string::npos);
  }
}

TEST(Plan, CpuListText) {
  EXPECT_EQ(cpu_list_text({}), "");
  EXPECT_EQ(cpu_list_text({0, 1, 2, 3, 8, 10, 11}), "0-3,8,10-11");
  EXPECT_EQ(cpu_list_text({5}), "5");
}

TEST(Plan, FindExecutable) {
  auto sh = find_executable("manager.redis_server", "sh", "/nonexistent:/bin:/usr/bin");
  ASSERT_TRUE(sh) << sh.error().to_string();
  EXPECT_NE(sh->find("/sh"), std::string::npos);
  auto missing = find_executable("manager.redis_server", "/nonexistent/redis-server", "/bin");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("manager.redis_server"), std::string::npos);
  auto not_on_path = find_executable("manager.redis_server", "no-such-program-xyz", "/bin");
  ASSERT_FALSE(not_on_path);
  // A directory is not an executable file.
  EXPECT_FALSE(find_executable("k", "/tmp", "/bin"));
}

}  // namespace
}  // namespace harrier::roles::manager
