#include "roles/telemetry/positions.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "roles/telemetry/stop_monitor.h"
#include "roles/telemetry/telemetry.h"

namespace harrier::roles::telemetry {
namespace {

bus::Fields position(std::string qty, std::string avg = "100.5",
                     std::string id = "erc-SPY-buy-1m-1381152600") {
  return {{"qty", std::move(qty)},
          {"avg_price", std::move(avg)},
          {"entry_order_id", std::move(id)},
          {"opened_ns", "1"},
          {"updated_ns", "2"}};
}

TEST(ParsePosition, ReadsTheContractFields) {
  auto p = parse_position("SPY", position("-100"));
  ASSERT_TRUE(p) << p.error().to_string();
  ASSERT_TRUE(*p);
  EXPECT_EQ((*p)->qty, -100);
  EXPECT_DOUBLE_EQ((*p)->avg_price, 100.5);
  EXPECT_EQ((*p)->entry_order_id, "erc-SPY-buy-1m-1381152600");
  auto flat = parse_position("SPY", position("0"));
  ASSERT_TRUE(flat);
  EXPECT_FALSE(*flat);
}

TEST(ParsePosition, NamesTheKeyAndFieldOfBadValues) {
  struct Case {
    bus::Fields f;
    std::string field;
  };
  std::vector<Case> cases = {
      {position("ten"), "qty"},
      {position("1.5"), "qty"},
      {position("10", "nan"), "avg_price"},
      {position("10", "-3"), "avg_price"},
      {position("10", "100", ""), "entry_order_id"},
      {position("10", "100", "has space"), "entry_order_id"},
      {{{"avg_price", "1"}, {"entry_order_id", "x"}}, "qty"},
  };
  for (const Case& c : cases) {
    auto p = parse_position("SPY", c.f);
    ASSERT_FALSE(p) << c.field;
    EXPECT_NE(p.error().message().find("position:SPY: field '" + c.field + "'"), std::string::npos)
        << p.error().message();
  }
  EXPECT_FALSE(parse_position("bad sym", position("1")));
}

TEST(TelemetryConfig, RefusesBadValuesNamingTheKey) {
  Config cfg;
  EXPECT_TRUE(validate(cfg));
  cfg.telemetry.http = "";  // off is fine
  EXPECT_TRUE(validate(cfg));
  cfg.telemetry.http = "not-an-address";
  auto st = validate(cfg);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("key 'telemetry.http'"), std::string::npos);
  cfg = Config{};
  cfg.stops.mode = "nope";
  st = validate(cfg);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("key 'stops.mode'"), std::string::npos);
  cfg = Config{};
  cfg.stops.mode = "atr";
  cfg.stops.atr_interval = "5m";
  auto sc = stop_config(cfg);
  ASSERT_TRUE(sc);
  EXPECT_EQ(sc->params.mode, risk::StopMode::kAtr);
  EXPECT_EQ(sc->atr_interval, Interval::k5m);
}

}  // namespace
}  // namespace harrier::roles::telemetry
