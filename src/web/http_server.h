// A minimal HTTP/1.1 server for operators: GET (and HEAD) on a fixed set of paths, one response
// per connection (Connection: close). P3 serves /metrics and /healthz with it.
//
// Design: one thread ("http") owns the listening socket and serves one connection at a time:
// it reads the request head with a deadline (read_timeout_ns) and a size bound
// (max_request_bytes), parses it (parse_request_head, no socket involved), calls the route's
// handler on the http thread, writes the response and closes. Malformed requests get 400, too
// large 431, slow 408, other methods 405, unknown paths 404; a handler that throws gets 500.
// Nothing a client sends can crash the server or make it read out of bounds. stop() wakes the
// thread through an eventfd and joins it. Handlers run on the http thread: they must only touch
// state that thread owns or thread-safe state (atomics, their own Redis connection).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace harrier::web {

struct ListenAddress {
  std::string host;  // IPv4 literal, as given ("localhost" becomes 127.0.0.1)
  int port = 0;      // 0: any free port (tests)
};
// "HOST:PORT" with HOST an IPv4 address or "localhost" and PORT 0..65535. kInvalidInput naming
// the text and what is wrong with it.
Result<ListenAddress> parse_listen_address(std::string_view text);
bool is_loopback(const ListenAddress& addr);

struct HttpRequest {
  std::string method;   // "GET"
  std::string path;     // "/metrics" (the target without its query)
  std::string query;    // after '?', without it; may be empty
  std::string version;  // "HTTP/1.1"
};
// Parses a request head: the request line and header lines up to the empty line (which may be
// absent from `head`). kInvalidInput naming what is wrong: a bad request line, a target that is
// not an absolute path, an unknown version, a control byte, a header line without ':'.
Result<HttpRequest> parse_request_head(std::string_view head);

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};
// Status line, Content-Type, Content-Length, Connection: close, then the body (none for HEAD).
std::string render_response(const HttpResponse& r, bool head_only = false);
std::string_view status_text(int status);

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
struct Route {
  std::string path;  // exact match, e.g. "/metrics"
  HttpHandler handler;
};

struct HttpServerOptions {
  std::size_t max_request_bytes = 8192;  // request head bound; larger gets 431
  DurationNs read_timeout_ns = 2 * kNsPerSec;
  DurationNs write_timeout_ns = 2 * kNsPerSec;
};

struct HttpServerStats {
  std::atomic<std::uint64_t> requests{0};      // responses sent, any status
  std::atomic<std::uint64_t> bad_requests{0};  // 400, 405, 408, 431
};

class HttpServer {
 public:
  // Binds, listens and starts the http thread. kInvalidInput for a bad address, kIo naming the
  // address when bind or listen fails (port in use).
  static Result<std::unique_ptr<HttpServer>> start(const ListenAddress& addr,
                                                   std::vector<Route> routes,
                                                   HttpServerOptions opts = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }  // the bound port (useful with port 0)
  const HttpServerStats& stats() const { return stats_; }
  // Stops accepting, wakes and joins the thread. Idempotent.
  void stop();

 private:
  HttpServer() = default;
  void run();
  void serve(int fd);
  HttpResponse respond(std::string_view head, bool* head_only);

  std::vector<Route> routes_;
  HttpServerOptions opts_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  int port_ = 0;
  HttpServerStats stats_;
  std::thread thread_;
};

}  // namespace harrier::web
