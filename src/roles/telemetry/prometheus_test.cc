#include "roles/telemetry/prometheus.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "roles/common/role.h"
#include "roles/telemetry/status.h"

namespace harrier::roles::telemetry {
namespace {

// A heartbeat as roles/common writes it, from a real Metrics registry.
std::string execute_heartbeat() {
  RoleContext ctx;
  ctx.role = "execute";
  ctx.started_ns = 1;
  ctx.restarts = 2;
  ctx.metrics.counter("orders_submitted", "").add(7);
  ctx.metrics.gauge("halted_symbols", "").set(1.5);
  Histogram& h = ctx.metrics.histogram("cycle_us", "");
  for (int i = 1; i <= 100; ++i) h.record(i * kNsPerUs);
  return heartbeat_json(ctx, "running");
}

BusSnapshot sample() {
  BusSnapshot s;
  s.redis_up = true;
  s.ping_us = 42.5;
  s.roles = {{"ingest", std::nullopt},
             {"execute", execute_heartbeat()},
             {"telemetry", R"({"role":"telemetry","state":"stopped","pid":9,"metrics":{}})"},
             {"manager", std::string("{not json")}};
  s.streams = {{"stream:new_bar", 120, {{"execute", 3, 1}}}, {"stream:alert", 0, {}}};
  return s;
}

// name{labels} -> value text, for every sample line; fails on a line that is not a sample.
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t sp = line.rfind(' ');
    EXPECT_NE(sp, std::string::npos) << line;
    out[line.substr(0, sp)] = line.substr(sp + 1);
  }
  return out;
}

TEST(Prometheus, RendersEveryRoleMetricWithTheRoleLabel) {
  const std::string text = render_prometheus(sample());
  auto s = samples(text);
  EXPECT_EQ(s["harrier_up{role=\"ingest\"}"], "0");
  EXPECT_EQ(s["harrier_up{role=\"execute\"}"], "1");
  EXPECT_EQ(s["harrier_up{role=\"telemetry\"}"], "0");  // state stopped
  EXPECT_EQ(s["harrier_up{role=\"manager\"}"], "0");    // does not parse
  EXPECT_EQ(s["harrier_restarts{role=\"execute\"}"], "2");
  EXPECT_EQ(s["harrier_orders_submitted_total{role=\"execute\"}"], "7");
  EXPECT_EQ(s["harrier_halted_symbols{role=\"execute\"}"], "1.5");
  EXPECT_EQ(s["harrier_cycle_us_count{role=\"execute\"}"], "100");
  // 1..100 us: the sum is 5050 us; the quantiles are bucket edges within 12.5%.
  EXPECT_NEAR(std::stod(s["harrier_cycle_us_sum{role=\"execute\"}"]), 5050, 1e-6);
  EXPECT_NEAR(std::stod(s["harrier_cycle_us{role=\"execute\",quantile=\"0.5\"}"]), 50, 50 * 0.13);
  EXPECT_NEAR(std::stod(s["harrier_cycle_us{role=\"execute\",quantile=\"0.99\"}"]), 99, 99 * 0.13);
  EXPECT_EQ(s["harrier_cycle_us_max{role=\"execute\"}"], "100");
  EXPECT_GT(std::stod(s["harrier_rss_bytes{role=\"execute\"}"]), 1e6);
  EXPECT_EQ(s["harrier_redis_up"], "1");
  EXPECT_EQ(s["harrier_redis_ping_us"], "42.5");
  EXPECT_EQ(s["harrier_stream_length{stream=\"stream:new_bar\"}"], "120");
  EXPECT_EQ(s["harrier_stream_length{stream=\"stream:alert\"}"], "0");
  EXPECT_EQ(s["harrier_stream_pending{stream=\"stream:new_bar\",group=\"execute\"}"], "3");
  EXPECT_NE(text.find("# TYPE harrier_orders_submitted_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE harrier_cycle_us summary\n"), std::string::npos);
  EXPECT_NE(text.find("# heartbeat:manager does not parse"), std::string::npos);
}

TEST(Prometheus, OneTypeLinePerFamilyAndSamplesTogether) {
  BusSnapshot s = sample();
  s.roles[0].json = execute_heartbeat();  // a second role with the same metric names
  s.roles[0].role = "ingest";
  const std::string text = render_prometheus(s);
  std::size_t types = 0, pos = 0;
  while ((pos = text.find("# TYPE harrier_orders_submitted_total ", pos)) != std::string::npos) {
    ++types;
    ++pos;
  }
  EXPECT_EQ(types, 1u);
  const std::size_t a = text.find("harrier_orders_submitted_total{role=\"ingest\"}");
  const std::size_t b = text.find("harrier_orders_submitted_total{role=\"execute\"}");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  // Nothing but these samples between the two lines of the family.
  const std::string between = text.substr(std::min(a, b), std::max(a, b) - std::min(a, b));
  EXPECT_EQ(std::count(between.begin(), between.end(), '\n'), 1);
}

TEST(Prometheus, HostileNamesAndValuesCannotBreakTheFormat) {
  BusSnapshot s;
  s.roles = {{"ingest", R"({"state":"running","cpus":"0\"}\n","pid":1e300,)"
                        R"("metrics":{"counters":{"bad name{x}":1,"9lives":2,"s":"x"},)"
                        R"("gauges":{"up":5,"g":null},"histograms":{"h":3}}})"}};
  const std::string text = render_prometheus(s);
  auto m = samples(text);
  EXPECT_EQ(m["harrier_bad_name_x__total{role=\"ingest\"}"], "1");
  EXPECT_EQ(m["harrier__9lives_total{role=\"ingest\"}"], "2");
  EXPECT_EQ(m["harrier_g{role=\"ingest\"}"], "NaN");
  EXPECT_EQ(m["harrier_up{role=\"ingest\"}"], "1");  // the role's gauge "up" did not override
  EXPECT_EQ(m["harrier_redis_up"], "0");
  EXPECT_NE(text.find("cpus=\"0\\\"}\\n\""), std::string::npos) << text;
  EXPECT_NE(text.find("pid=\"?\""), std::string::npos);
  for (const auto& [name, value] : m) {
    EXPECT_EQ(name.rfind("harrier_", 0), 0u) << name;
  }
}

TEST(Status, PrintsTheBlock) {
  const std::string text = format_status(sample(), "tcp://127.0.0.1:6379");
  EXPECT_NE(text.find("redis tcp://127.0.0.1:6379 PING 42 us"), std::string::npos) << text;
  EXPECT_NE(text.find("ingest     down"), std::string::npos) << text;
  EXPECT_NE(text.find("execute    running"), std::string::npos) << text;
  EXPECT_NE(text.find("orders_submitted=7"), std::string::npos) << text;
  EXPECT_NE(text.find("cycle_us p50="), std::string::npos) << text;
  EXPECT_NE(text.find("telemetry  stopped"), std::string::npos) << text;
  EXPECT_NE(text.find("manager    unknown"), std::string::npos) << text;  // bad heartbeat shown
  EXPECT_NE(text.find("execute=3"), std::string::npos) << text;

  BusSnapshot no_manager = sample();
  no_manager.roles[3].json.reset();
  EXPECT_EQ(format_status(no_manager, "x").find("manager"), std::string::npos);
}

}  // namespace
}  // namespace harrier::roles::telemetry
