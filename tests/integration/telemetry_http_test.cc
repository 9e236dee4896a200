// P3's /metrics and /healthz over HTTP, and `harrier status`, against a private redis-server
// with the real binary (issue #5).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include "bus/keys.h"
#include "telemetry_test_util.h"

namespace harrier::telemetry_test {
namespace {

// GET `path` from 127.0.0.1:port with a raw socket; the whole response, or "" on failure.
std::string http_get(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    (void)!::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    char buf[8192];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) break;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

class TelemetryHttp : public TelemetrySuite {};

TEST_F(TelemetryHttp, MetricsServesPrometheusTextFromEveryHeartbeat) {
  auto port = harrier::testing::free_loopback_port();
  ASSERT_TRUE(port);
  // Another role's heartbeat, as roles/common writes it.
  cmd({"SET", bus::keys::heartbeat("execute"),
       R"({"role":"execute","pid":4242,"state":"running","uptime_s":12.5,"restarts":1,)"
       R"("cpus":"1","rss_bytes":1048576,"metrics":{"counters":{"orders_submitted":3},)"
       R"("gauges":{"halted_symbols":0},"histograms":{"cycle_us":{"p50":40,"p99":90,)"
       R"("max":120,"mean":45,"n":10}}}})",
       "PX", "60000"});
  cmd({"XADD", "stream:new_bar", "*", "sym", "SPY"});
  cmd({"XGROUP", "CREATE", "stream:new_bar", "execute", "0"});
  auto p3 = start_p3({"telemetry.http=127.0.0.1:" + std::to_string(*port)});
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));

  std::string r;
  ASSERT_TRUE(eventually([&] {
    r = http_get(*port, "/metrics");
    return r.find("harrier_up{role=\"telemetry\"} 1") != std::string::npos;
  })) << r;
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(r.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  for (const char* want : {
           "harrier_up{role=\"execute\"} 1",
           "harrier_up{role=\"ingest\"} 0",
           "harrier_orders_submitted_total{role=\"execute\"} 3",
           "harrier_cycle_us{role=\"execute\",quantile=\"0.99\"} 90",
           "harrier_cycle_us_count{role=\"execute\"} 10",
           "harrier_cycle_us_max{role=\"execute\"} 120",
           "harrier_restarts{role=\"execute\"} 1",
           "harrier_rss_bytes{role=\"execute\"} 1048576",
           "harrier_stops_active{role=\"telemetry\"} 0",
           "harrier_exits_fired_total{role=\"telemetry\"} 0",
           "# TYPE harrier_stop_to_exit_us summary",
           "harrier_stream_length{stream=\"stream:new_bar\"} 1",
           "harrier_stream_pending{stream=\"stream:new_bar\",group=\"execute\"} 0",
           "harrier_stream_length{stream=\"stream:alert\"} 0",
           "harrier_redis_up 1",
           "harrier_redis_ping_us ",
           "harrier_uptime_seconds{role=\"telemetry\"} ",
       }) {
    EXPECT_NE(r.find(want), std::string::npos) << want << "\n" << r;
  }
  // Delivered, not acknowledged: pending shows up.
  cmd({"XREADGROUP", "GROUP", "execute", "c1", "COUNT", "1", "STREAMS", "stream:new_bar", ">"});
  r = http_get(*port, "/metrics");
  EXPECT_NE(r.find("harrier_stream_pending{stream=\"stream:new_bar\",group=\"execute\"} 1"),
            std::string::npos);

  EXPECT_EQ(http_get(*port, "/healthz").rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_EQ(http_get(*port, "/nope").rfind("HTTP/1.1 404 ", 0), 0u);
  p3->signal(SIGTERM);
  EXPECT_EQ(p3->wait_exit(5000), 0);
}

TEST_F(TelemetryHttp, PortInUseIsARuntimeFailure) {
  auto port = harrier::testing::free_loopback_port();
  ASSERT_TRUE(port);
  auto first = start_p3({"telemetry.http=127.0.0.1:" + std::to_string(*port)}, "first");
  ASSERT_TRUE(wait_ready(*first));
  auto second = start_p3({"telemetry.http=127.0.0.1:" + std::to_string(*port)}, "second");
  EXPECT_EQ(second->wait_exit(10000), 1);
  EXPECT_NE(read_file(path("second.err")).find("bind"), std::string::npos);
}

TEST_F(TelemetryHttp, StatusPrintsTheBlockFromRedisAlone) {
  auto p3 = start_p3();
  ASSERT_TRUE(wait_ready(*p3)) << read_file(path("p3.err"));
  cmd({"XADD", "stream:entry_fire", "*", "sym", "SPY"});  // not a valid entry: counted, skipped
  ASSERT_TRUE(eventually([&] { return counter(*p3, "bad_inputs") >= 1; }));
  Child st({"status", "--redis", server_->unix_url()}, path("status.out"), path("status.err"));
  ASSERT_EQ(st.wait_exit(10000), 0) << read_file(path("status.err"));
  const std::string out = read_file(path("status.out"));
  EXPECT_NE(out.find("harrier status: redis " + server_->unix_url() + " PING"), std::string::npos)
      << out;
  EXPECT_NE(out.find("ingest     down"), std::string::npos) << out;
  EXPECT_NE(out.find("execute    down"), std::string::npos) << out;
  EXPECT_NE(out.find("telemetry  running  " + std::to_string(p3->pid())), std::string::npos) << out;
  EXPECT_NE(out.find("bad_inputs="), std::string::npos) << out;
  EXPECT_NE(out.find("stream:entry_fire         1  telemetry=0"), std::string::npos) << out;
  EXPECT_EQ(out.find("manager"), std::string::npos) << out;  // no heartbeat:manager

  Child down({"status", "--redis", "unix:" + server_->dir() + "/nothing.sock"}, path("status2.out"),
             path("status2.err"));
  EXPECT_EQ(down.wait_exit(10000), 1);
  EXPECT_NE(read_file(path("status2.err")).find("unreachable"), std::string::npos);
}

}  // namespace
}  // namespace harrier::telemetry_test
