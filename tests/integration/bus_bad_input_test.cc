// Hostile replies: a wrong reply type, garbage, a truncated or huge bulk, a huge array, a peer
// that closes mid-reply or never answers. Each must be an Error, never a crash or an
// out-of-bounds read (the debug build runs this under ASan/UBSan).
//
// RawPeer below is a protocol-level peer, not a mock of Redis semantics: it accepts one TCP
// connection on 127.0.0.1, reads the client's command bytes, writes fixed raw bytes back and
// then closes (or stays silent). Only it can produce malformed RESP; everything a real server
// can do is tested against a real redis-server in the other files.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "bus/connection.h"
#include "bus_test_util.h"

namespace harrier::bus {
namespace {

class RawPeer {
 public:
  // close_after: close the socket after writing `bytes`; otherwise keep it open, silent.
  RawPeer(std::string bytes, bool close_after) : bytes_(std::move(bytes)), close_(close_after) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::listen(listen_fd_, 4) == 0 &&
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
      port_ = ntohs(a.sin_port);
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~RawPeer() {
    done_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  std::string url() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

 private:
  void serve() {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    char buf[4096];
    (void)::recv(fd, buf, sizeof buf, 0);  // the command; its content does not matter
    std::size_t off = 0;
    while (off < bytes_.size()) {
      ssize_t n = ::send(fd, bytes_.data() + off, bytes_.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    if (!close_) {
      while (!done_ && ::recv(fd, buf, sizeof buf, 0) > 0) {
      }
    }
    ::close(fd);
  }

  std::string bytes_;
  bool close_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

Error ping_through(const std::string& bytes, bool close_after, ConnectionConfig cfg = {}) {
  RawPeer peer(bytes, close_after);
  ConnectionConfig c = test::fast_config(peer.url());
  c.command_timeout_ns = 100 * kNsPerMs;
  c.max_reply_bytes = cfg.max_reply_bytes;
  c.max_array_elements = cfg.max_array_elements;
  Connection conn(c);
  auto r = conn.ping();
  EXPECT_FALSE(r);
  EXPECT_FALSE(conn.connected() && r.has_value());
  if (r) return internal_error("unexpected success");
  return std::move(r).error();
}

TEST(BusBadInput, WrongReplyTypeForPing) {
  Error e = ping_through(":1\r\n", true);
  EXPECT_EQ(e.code(), ErrorCode::kProtocol);
  EXPECT_NE(e.message().find("expected status reply, got integer"), std::string::npos)
      << e.message();
}

TEST(BusBadInput, GarbageIsAProtocolError) {
  Error e = ping_through("!this is not resp\r\n", true);
  EXPECT_EQ(e.code(), ErrorCode::kProtocol);
  EXPECT_NE(e.message().find("bad reply"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("connection dropped"), std::string::npos);
}

TEST(BusBadInput, TruncatedBulkThenCloseIsUnavailable) {
  Error e = ping_through("$10\r\nabc", true);
  EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  EXPECT_NE(e.message().find("connection closed"), std::string::npos) << e.message();
}

TEST(BusBadInput, HugeDeclaredBulkDoesNotAllocateOrCrash) {
  Error e = ping_through("$999999999999\r\nabcdef", true);
  EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  Error overflow = ping_through("$99999999999999999999999\r\nabc", true);
  EXPECT_NE(overflow.message().find("PING"), std::string::npos) << overflow.message();
}

TEST(BusBadInput, HugeBulkActuallySentHitsTheByteLimit) {
  ConnectionConfig cfg;
  cfg.max_reply_bytes = 64 << 10;
  std::string body(256 << 10, 'z');
  Error e = ping_through("$" + std::to_string(body.size()) + "\r\n" + body + "\r\n", true, cfg);
  EXPECT_EQ(e.code(), ErrorCode::kProtocol);
  EXPECT_NE(e.message().find("larger than the limit of 65536 bytes"), std::string::npos)
      << e.message();
}

TEST(BusBadInput, HugeArrayIsRefusedBeforeAllocation) {
  Error e = ping_through("*2000000000\r\n:1\r\n", true);
  EXPECT_EQ(e.code(), ErrorCode::kProtocol);
  EXPECT_NE(e.message().find("array of 2000000000 elements exceeds"), std::string::npos)
      << e.message();
}

TEST(BusBadInput, ServerClosesMidReply) {
  Error e = ping_through("*3\r\n$1\r\na\r\n:5\r\n", true);  // 2 of 3 elements, then EOF
  EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  EXPECT_NE(e.message().find("connection closed"), std::string::npos) << e.message();
  Error immediate = ping_through("", true);  // closes without a byte
  EXPECT_EQ(immediate.code(), ErrorCode::kUnavailable);
}

TEST(BusBadInput, SilentPeerTimesOut) {
  Error e = ping_through("+PO", false);  // half a status line, then nothing
  EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  EXPECT_NE(e.message().find("timeout"), std::string::npos) << e.message();
}

TEST(BusBadInput, NestingDeeperThanTheReaderSupports) {
  Error e =
      ping_through("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", true);
  EXPECT_EQ(e.code(), ErrorCode::kProtocol);
}

TEST(BusBadInput, NegativeLengthsAreNilNotCrashes) {
  // "$-5" and "*-3" are not valid RESP; hiredis treats any negative length as nil. Either way
  // PING must not succeed with them.
  Error bulk = ping_through("$-5\r\n", true);
  EXPECT_EQ(bulk.code(), ErrorCode::kProtocol);
  Error arr = ping_through("*-3\r\n", true);
  EXPECT_EQ(arr.code(), ErrorCode::kProtocol);
}

}  // namespace
}  // namespace harrier::bus
