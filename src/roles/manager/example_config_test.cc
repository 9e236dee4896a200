// examples/harrier.toml is config_example() written out (`harrier config --example`), so it can
// never drift from the key table; and it loads as a config that equals the defaults.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/config.h"

namespace harrier {
namespace {

const std::string kExample = std::string(HARRIER_SOURCE_DIR) + "/examples/harrier.toml";

TEST(ExampleConfig, EqualsConfigExample) {
  std::ifstream in(kExample);
  ASSERT_TRUE(in) << kExample;
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), config_example())
      << "regenerate it: harrier config --example > examples/harrier.toml";
}

TEST(ExampleConfig, LoadsAsTheDefaults) {
  auto cfg = load_config(kExample, {});
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  const Config d;
  EXPECT_EQ(cfg->manager.stagger_ms, d.manager.stagger_ms);
  EXPECT_EQ(cfg->manager.max_restarts, d.manager.max_restarts);
  EXPECT_EQ(cfg->heartbeat.interval_ms, d.heartbeat.interval_ms);
  EXPECT_EQ(cfg->feed.kind, d.feed.kind);
  EXPECT_EQ(cfg->strategy.intervals, d.strategy.intervals);
}

TEST(ExampleConfig, PaperLayoutNamesTwelveCpus) {
  const std::string path = std::string(HARRIER_SOURCE_DIR) + "/examples/harrier-paper-layout.toml";
  auto cfg = load_config(path, {});
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  EXPECT_EQ(cfg->manager.cpu_ingest, "0-3");
  EXPECT_EQ(cfg->manager.cpu_execute, "4-7");
  EXPECT_EQ(cfg->manager.cpu_telemetry, "8-11");
}

}  // namespace
}  // namespace harrier
