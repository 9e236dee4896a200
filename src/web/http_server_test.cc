#include "web/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <string>

namespace harrier::web {
namespace {

// A raw TCP client on 127.0.0.1: sends bytes, optionally half-closes, reads until EOF.
class Client {
 public:
  explicit Client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  }
  ~Client() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;  // the server may close early (oversized request)
      off += static_cast<std::size_t>(n);
    }
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  // Reads until EOF or 5 s pass.
  std::string read_all() {
    std::string out;
    char buf[4096];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) break;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<Route> routes;
    routes.push_back({"/metrics", [this](const HttpRequest& r) {
                        ++calls_;
                        return HttpResponse{200, "text/plain; version=0.0.4",
                                            "harrier_up 1\nquery=" + r.query + "\n"};
                      }});
    routes.push_back({"/boom", [](const HttpRequest&) -> HttpResponse {
                        throw std::runtime_error("handler bug");
                      }});
    HttpServerOptions opts;
    opts.max_request_bytes = 1024;
    opts.read_timeout_ns = 200 * kNsPerMs;
    auto s = HttpServer::start({"127.0.0.1", 0}, std::move(routes), opts);
    ASSERT_TRUE(s) << s.error().to_string();
    server_ = std::move(s).value();
    ASSERT_GT(server_->port(), 0);
  }

  std::string exchange(const std::string& request, bool half_close = true) {
    Client c(server_->port());
    EXPECT_TRUE(c.connected());
    c.send(request);
    if (half_close) c.shutdown_write();
    return c.read_all();
  }

  std::unique_ptr<HttpServer> server_;
  std::atomic<int> calls_{0};
};

TEST_F(HttpServerTest, ServesARoute) {
  std::string r = exchange("GET /metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Content-Type: text/plain; version=0.0.4\r\n"), std::string::npos);
  const std::string body = "harrier_up 1\nquery=x=1\n";
  EXPECT_NE(r.find("Content-Length: " + std::to_string(body.size()) + "\r\n"), std::string::npos);
  EXPECT_EQ(r.substr(r.size() - body.size()), body);
  EXPECT_EQ(calls_.load(), 1);
}

TEST_F(HttpServerTest, HeadHasNoBody) {
  std::string r = exchange("HEAD /metrics HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_EQ(r.substr(r.size() - 4), "\r\n\r\n");
}

TEST_F(HttpServerTest, UnknownPathIs404) {
  std::string r = exchange("GET /nope HTTP/1.1\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << r;
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(HttpServerTest, BadRequestsGet400Or405) {
  for (const char* bad :
       {"garbage\r\n\r\n", "GET metrics HTTP/1.1\r\n\r\n", "GET /metrics HTTP/2.0\r\n\r\n",
        "GET /a b HTTP/1.1\r\n\r\n", "GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n",
        "get /metrics HTTP/1.1\r\n\r\n", "\r\n\r\n"}) {
    std::string r = exchange(bad);
    EXPECT_EQ(r.rfind("HTTP/1.1 400 ", 0), 0u) << bad << " -> " << r;
  }
  std::string nul("GET /me\0trics HTTP/1.1\r\n\r\n", 27);
  EXPECT_EQ(exchange(nul).rfind("HTTP/1.1 400 ", 0), 0u);
  EXPECT_EQ(exchange("POST /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 405 ", 0), 0u);
  // Closed before the head ended.
  EXPECT_EQ(exchange("GET /metrics HTTP/1.1\r\n").rfind("HTTP/1.1 400 ", 0), 0u);
  EXPECT_EQ(calls_.load(), 0);
  EXPECT_GE(server_->stats().bad_requests.load(), 10u);
}

TEST_F(HttpServerTest, OversizedRequestGets431) {
  std::string big = "GET /metrics HTTP/1.1\r\nX-Fill: " + std::string(100000, 'a') + "\r\n\r\n";
  std::string r = exchange(big);
  EXPECT_EQ(r.rfind("HTTP/1.1 431 ", 0), 0u) << r.substr(0, 80);
  EXPECT_EQ(calls_.load(), 0);
  // Still serving afterwards.
  EXPECT_EQ(exchange("GET /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200 ", 0), 0u);
}

TEST_F(HttpServerTest, SlowClientGets408AndOthersAreServedAfter) {
  Client slow(server_->port());
  ASSERT_TRUE(slow.connected());
  slow.send("GET /metr");  // never finishes; the server's 200 ms read deadline ends it
  std::string r = slow.read_all();
  EXPECT_EQ(r.rfind("HTTP/1.1 408 ", 0), 0u) << r;
  EXPECT_EQ(exchange("GET /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200 ", 0), 0u);
}

TEST_F(HttpServerTest, ThrowingHandlerGets500) {
  EXPECT_EQ(exchange("GET /boom HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 500 ", 0), 0u);
  EXPECT_EQ(exchange("GET /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200 ", 0), 0u);
}

TEST_F(HttpServerTest, ConnectAndCloseWithoutSendingIsHarmless) {
  { Client c(server_->port()); }
  EXPECT_EQ(exchange("GET /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200 ", 0), 0u);
  server_->stop();
  server_->stop();  // idempotent
}

TEST(ListenAddress, ParsesAndRejects) {
  auto a = parse_listen_address("127.0.0.1:9464");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9464);
  EXPECT_TRUE(is_loopback(*a));
  auto l = parse_listen_address("localhost:0");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->host, "127.0.0.1");
  auto any = parse_listen_address("0.0.0.0:80");
  ASSERT_TRUE(any);
  EXPECT_FALSE(is_loopback(*any));
  for (const char* bad : {"not-an-address", "127.0.0.1", "127.0.0.1:", "127.0.0.1:70000",
                          "127.0.0.1:-1", "example.com:80", ":80", "1.2.3:80"}) {
    auto r = parse_listen_address(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message().find(bad), std::string::npos) << r.error().message();
  }
}

TEST(ListenAddress, PortInUseIsAnIoError) {
  auto first = HttpServer::start({"127.0.0.1", 0}, {});
  ASSERT_TRUE(first);
  auto second = HttpServer::start({"127.0.0.1", (*first)->port()}, {});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), ErrorCode::kIo);
}

}  // namespace
}  // namespace harrier::web
