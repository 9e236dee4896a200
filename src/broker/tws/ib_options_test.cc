// The [ib] configuration keys, examples/ib-paper.toml, and the ConnectionOptions built from
// them per role.
#include "broker/tws/ib_options.h"

#include <gtest/gtest.h>

namespace harrier::tws {
namespace {

TEST(IbConfig, DefaultsAreThePapersClientIdsOnLoopback) {
  auto c = load_config("", {});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->ib.host, "127.0.0.1");
  EXPECT_EQ(c->ib.port, 7497);
  EXPECT_EQ(c->ib.client_id_ingest, 18);
  EXPECT_EQ(c->ib.client_id_execute, 20);
  EXPECT_EQ(c->ib.client_id_telemetry, 21);
  EXPECT_EQ(c->ib.depth_venues, (std::vector<std::string>{"ARCA", "ISLAND", "IEX"}));
  EXPECT_EQ(c->ib.pacing_per_s, 45);
  auto o = connection_options(c->ib, IbRole::kExecute);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->client_id, 20);
  EXPECT_EQ(o->port, 7497);
  EXPECT_EQ(o->watchdog_ns, 10 * kNsPerSec);
  EXPECT_EQ(o->restart_window_start_min, -1);
  EXPECT_EQ(connection_options(c->ib, IbRole::kIngest)->client_id, 18);
  EXPECT_EQ(connection_options(c->ib, IbRole::kTelemetry)->client_id, 21);
}

TEST(IbConfig, ExamplePaperFileLoads) {
  auto c = load_config(HARRIER_SOURCE_DIR "/examples/ib-paper.toml", {});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->ib.port, 7497);
  EXPECT_EQ(c->ib.depth_rows, 10);
  auto o = connection_options(c->ib, IbRole::kExecute);
  ASSERT_TRUE(o) << o.error().to_string();
  EXPECT_EQ(o->restart_window_start_min, 4 * 60 + 45);
  EXPECT_EQ(o->restart_window_len_min, 30);
}

TEST(IbConfig, BadValuesNameTheKey) {
  struct Case {
    const char* set;
    const char* key;
  } cases[] = {
      {"ib.port=0", "'ib.port'"},
      {"ib.pacing_per_s=60", "'ib.pacing_per_s'"},
      {"ib.client_id_execute=18", "'ib.client_id_execute'"},
      {"ib.restart_window=25:00-01:00", "'ib.restart_window'"},
      {"ib.restart_window=10:00", "'ib.restart_window'"},
      {"ib.depth_rows=0", "'ib.depth_rows'"},
  };
  for (const auto& k : cases) {
    auto c = load_config("", {k.set});
    ASSERT_FALSE(c) << k.set;
    EXPECT_NE(c.error().message().find(k.key), std::string::npos) << c.error().message();
  }
}

}  // namespace
}  // namespace harrier::tws
