// bus::Connection against a real redis-server: TCP and unix sockets, AUTH with ACL users
// (password from an environment variable or a file), typed replies, pipelining, timeouts,
// reply size limits, reconnect after the server is killed and restarted, PING histogram.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "bus/bar_store.h"
#include "bus/connection.h"
#include "bus_test_util.h"
#include "support/listed_pieces.h"

namespace harrier::bus {
namespace {

using test::fast_config;
using test::RedisSuite;

class BusConnection : public RedisSuite {};

TEST_F(BusConnection, TcpAndUnixSocketRoundTrip) {
  for (const std::string& url : {server().url(), server().unix_url()}) {
    Connection c(fast_config(url));
    auto set = c.command({"SET", "k", std::string("v\0w", 3)});
    ASSERT_TRUE(set) << url << ": " << set.error().to_string();
    EXPECT_TRUE(expect_status(set->view(), "OK"));
    auto get = c.command({"GET", "k"});
    ASSERT_TRUE(get);
    EXPECT_EQ(*get->string(), std::string_view("v\0w", 3));  // binary safe
    EXPECT_EQ(c.stats().connects, 1u);
  }
}

TEST_F(BusConnection, TypedRepliesRefuseTheWrongType) {
  Connection c(fast_config(server().url()));
  ASSERT_TRUE(c.command({"HSET", "h", "f", "1"}));
  auto n = c.command({"INCR", "counter"});
  ASSERT_TRUE(n);
  EXPECT_EQ(*n->integer(), 1);
  auto as_string = n->string();  // an integer read as a string
  ASSERT_FALSE(as_string);
  EXPECT_EQ(as_string.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(as_string.error().message().find("expected bulk string reply, got integer"),
            std::string::npos);
  auto wrongtype = c.command({"GET", "h"});  // the server's own WRONGTYPE error
  ASSERT_FALSE(wrongtype);
  EXPECT_EQ(wrongtype.error().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(wrongtype.error().message().find("GET h: WRONGTYPE"), std::string::npos)
      << wrongtype.error().message();
  auto nil = c.command({"GET", "missing"});
  ASSERT_TRUE(nil);
  EXPECT_TRUE(nil->is_nil());
  EXPECT_FALSE(nil->integer());
  EXPECT_TRUE(c.connected());  // error replies keep the connection
}

TEST_F(BusConnection, PipelineSendsManyCommandsInOneWrite) {
  Connection c(fast_config(server().url()));
  CommandBatch b;
  for (int i = 0; i < 1000; ++i) b.add({"INCR", "n"});
  b.add({"GET", "n"});
  b.add({"LPUSH", "n", "x"});  // an error reply inside a pipeline is a reply, not a failure
  std::vector<Reply> replies;
  ASSERT_TRUE(c.run(b, replies));
  ASSERT_EQ(replies.size(), 1002u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(*replies[static_cast<std::size_t>(i)].integer(), i + 1);
  EXPECT_EQ(*replies[1000].string(), "1000");
  auto err = check_reply(replies[1001].view(), b.describe(1001));
  ASSERT_FALSE(err);
  EXPECT_NE(err.error().message().find("LPUSH n: WRONGTYPE"), std::string::npos);
}

// Long arguments go from the caller's memory through sendmsg: a pipeline far larger than the
// socket buffer (partial sends) and with more pieces than one sendmsg takes (IOV_MAX) arrives
// whole and in order, on both socket kinds.
TEST_F(BusConnection, PipelineOfLongArgumentsArrivesWhole) {
  for (const std::string& url : {server().url(), server().unix_url()}) {
    Connection c(fast_config(url));
    std::vector<std::string> values;
    for (int i = 0; i < 3; ++i) values.push_back(std::string(3u << 20, static_cast<char>('a' + i)));
    for (int i = 0; i < 1500; ++i) {
      values.push_back(std::string(kBorrowArgBytes + static_cast<std::size_t>(i), 'v'));
      values.back()[0] = static_cast<char>('0' + i % 10);
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < values.size(); ++i) names.push_back("big:" + std::to_string(i));
    CommandBatch b;
    for (std::size_t i = 0; i < values.size(); ++i) b.add({"SET", names[i], values[i]});
    std::vector<Reply> replies;
    ASSERT_TRUE(c.run(b, replies)) << url;
    ASSERT_EQ(replies.size(), values.size());
    CommandBatch gets;
    for (const std::string& n : names) gets.add({"STRLEN", n});
    gets.add({"GET", names[1]});
    gets.add({"GET", names[values.size() - 1]});
    ASSERT_TRUE(c.run(gets, replies)) << url;
    for (std::size_t i = 0; i < values.size(); ++i) {
      ASSERT_EQ(*replies[i].integer(), static_cast<long long>(values[i].size())) << url << i;
    }
    EXPECT_TRUE(*replies[values.size()].string() == values[1]) << url;
    EXPECT_TRUE(*replies[values.size() + 1].string() == values.back()) << url;
    EXPECT_EQ(c.stats().connects, 1u);
  }
}

// A value sent as pieces (P1's seals: a window's columns from where it keeps them) is stored
// as one value, byte for byte.
TEST_F(BusConnection, PiecesArgumentIsStoredAsOneValue) {
  Connection c(fast_config(server().unix_url()));
  std::vector<std::string> parts;
  for (int i = 0; i < 300; ++i) {
    parts.push_back(std::string(static_cast<std::size_t>(i * 37 % 1200), static_cast<char>(i)));
  }
  const testing::ListedPieces views(std::vector<std::string_view>(parts.begin(), parts.end()));
  std::string joined;
  for (const std::string& p : parts) joined += p;
  std::vector<std::string> keys;
  for (int k = 0; k < 8; ++k) keys.push_back("pieces:" + std::to_string(k));
  CommandBatch b;
  for (const std::string& key : keys) {  // ~3,700 iovecs: more than one sendmsg (IOV_MAX 1,024)
    b.begin();
    b.arg("SET");
    b.arg(key);
    b.arg_pieces(views);
  }
  std::vector<Reply> replies;
  ASSERT_TRUE(c.run(b, replies));
  for (const std::string& key : keys) {
    auto got = c.command({"GET", key});
    ASSERT_TRUE(got);
    ASSERT_TRUE(got->string());
    EXPECT_TRUE(*got->string() == joined) << key;
  }
}

TEST_F(BusConnection, CommandTimeoutDropsTheConnectionAndReconnects) {
  ConnectionConfig cfg = fast_config(server().url());
  cfg.command_timeout_ns = 50 * kNsPerMs;
  Connection c(cfg);
  auto blocked = c.command({"BLPOP", "never", "2"});  // the server would wait 2 s
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(blocked.error().message().find("timeout"), std::string::npos)
      << blocked.error().message();
  EXPECT_FALSE(c.connected());
  // A per-call timeout longer than the block lets a blocking command finish.
  auto ok_block = test::eventually([&] {
    return c.command({"BLPOP", "never", "0.01"}, 500 * kNsPerMs);
  });
  ASSERT_TRUE(ok_block) << ok_block.error().to_string();
  EXPECT_TRUE(ok_block->is_nil());
  EXPECT_EQ(c.stats().connects, 2u);
}

// The socket timeout is set only when it changes (a loop blocking on every read paid four
// setsockopt calls a read): a per-call timeout must still end with its call, and a pipeline
// that ends with a blocking command takes one too.
TEST_F(BusConnection, PerCallTimeoutEndsWithItsCallAndAPipelineTakesOne) {
  ConnectionConfig cfg = fast_config(server().url());
  cfg.command_timeout_ns = 100 * kNsPerMs;
  Connection c(cfg);
  auto long_block = c.command({"BLPOP", "never", "0.2"}, 2 * kNsPerSec);
  ASSERT_TRUE(long_block) << long_block.error().to_string();
  EXPECT_TRUE(long_block->is_nil());
  // Without an override the 100 ms command timeout is back: a 1 s block is cut off.
  auto cut = c.command({"BLPOP", "never", "1"});
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message().find("timeout"), std::string::npos) << cut.error().message();

  CommandBatch b;
  b.add({"SET", "k", "v"});
  b.add({"BLPOP", "never", "0.2"});
  std::vector<Reply> rs;
  Status st = test::eventually([&] { return c.run(b, rs, 2 * kNsPerSec); });
  ASSERT_TRUE(st) << st.error().to_string();
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_TRUE(rs[1].view().is_nil());
  // The same pipeline without the override is cut off at the command timeout.
  Status cut_run = c.run(b, rs);
  ASSERT_FALSE(cut_run);
  EXPECT_NE(cut_run.error().message().find("timeout"), std::string::npos)
      << cut_run.error().message();
  EXPECT_EQ(rs.size(), 1u);  // the SET's reply was read before the cut
  EXPECT_EQ(c.stats().connects, 2u);
}

TEST_F(BusConnection, ReplyLargerThanTheLimitIsRefused) {
  ConnectionConfig cfg = fast_config(server().url());
  cfg.max_reply_bytes = 1 << 20;
  Connection c(cfg);
  std::string big(2 << 20, 'x');
  ASSERT_TRUE(c.command({"SET", "big", big}));  // writing is not limited
  auto r = c.command({"GET", "big"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(r.error().message().find("larger than the limit"), std::string::npos)
      << r.error().message();
  // A real array above the element limit is refused too.
  ConnectionConfig small = fast_config(server().url());
  small.max_array_elements = 10;
  Connection s(small);
  CommandBatch b;
  b.begin();
  b.arg("RPUSH");
  b.arg("list");
  for (int i = 0; i < 20; ++i) b.arg("e");
  std::vector<Reply> rs;
  ASSERT_TRUE(s.run(b, rs));
  auto lr = s.command({"LRANGE", "list", "0", "-1"});
  ASSERT_FALSE(lr);
  EXPECT_EQ(lr.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(lr.error().message().find("array of 20 elements exceeds the limit of 10"),
            std::string::npos)
      << lr.error().message();
}

TEST_F(BusConnection, PingLatencyHistogram) {
  Connection c(fast_config(server().url()));
  for (int i = 0; i < 50; ++i) {
    auto d = c.ping();
    ASSERT_TRUE(d);
    EXPECT_GT(*d, 0);
  }
  const auto& h = c.ping_histogram();
  EXPECT_EQ(h.count(), 50u);
  EXPECT_GT(h.p50(), 0);
  EXPECT_LE(h.p50(), h.p99());
  EXPECT_LE(h.p99(), h.max());
}

TEST_F(BusConnection, ClientKilledByServerIsUnavailableThenReconnects) {
  Connection c(fast_config(server().url()));
  ASSERT_TRUE(c.command({"CLIENT", "SETNAME", "victim"}));
  ASSERT_TRUE(server().raw_command("CLIENT KILL TYPE normal SKIPME no"));
  auto r = c.command({"PING"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(c.stats().disconnects, 1u);
  auto back = test::eventually([&] { return c.ping(); });
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(c.stats().connects, 2u);
}

// ---- ACL users --------------------------------------------------------------------------

class BusAcl : public ::testing::Test {
 protected:
  void SetUp() override {
    harrier::testing::RedisServerOptions opts;
    opts.acl_users = {"writer on >w-pass ~* &* +@all",
                      "reader on >r-pass ~bars:* ~bundle:* +get +hgetall +ping +multi +exec"};
    auto s = harrier::testing::RedisServer::start(opts);
    ASSERT_TRUE(s) << s.error().to_string();
    server_ = std::move(s).value();
  }
  std::unique_ptr<harrier::testing::RedisServer> server_;
};

TEST_F(BusAcl, PasswordFromEnvironmentOrFile) {
  ::setenv("HARRIER_TEST_REDIS_PW", "w-pass", 1);
  ConnectionConfig cfg = fast_config(server_->url());
  cfg.user = "writer";
  cfg.password_env = "HARRIER_TEST_REDIS_PW";
  Connection env_conn(cfg);
  auto who = env_conn.command({"ACL", "WHOAMI"});
  ASSERT_TRUE(who) << who.error().to_string();
  EXPECT_EQ(*who->string(), "writer");

  std::string path = server_->dir() + "/pw";
  std::ofstream(path) << "r-pass\n";
  ConnectionConfig rcfg = fast_config(server_->url());
  rcfg.user = "reader";
  rcfg.password_file = path;
  Connection file_conn(rcfg);
  EXPECT_TRUE(file_conn.ping());
}

TEST_F(BusAcl, WrongPasswordIsAClearErrorWithoutThePassword) {
  ::setenv("HARRIER_TEST_REDIS_BAD_PW", "not-the-password", 1);
  ConnectionConfig cfg = fast_config(server_->url());
  cfg.user = "writer";
  cfg.password_env = "HARRIER_TEST_REDIS_BAD_PW";
  Connection c(cfg);
  auto r = c.ping();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("AUTH as user 'writer'"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("WRONGPASS"), std::string::npos);
  EXPECT_EQ(r.error().message().find("not-the-password"), std::string::npos);
  EXPECT_FALSE(c.connected());
}

TEST_F(BusAcl, NoPermissionNamesTheKeyAndTheCommand) {
  ::setenv("HARRIER_TEST_REDIS_R_PW", "r-pass", 1);
  ConnectionConfig cfg = fast_config(server_->url());
  cfg.user = "reader";
  cfg.password_env = "HARRIER_TEST_REDIS_R_PW";
  Connection c(cfg);
  auto get = c.command({"GET", "order:42"});  // key outside ~bars:* ~bundle:*
  ASSERT_FALSE(get);
  EXPECT_NE(get.error().message().find("GET order:42: NOPERM"), std::string::npos)
      << get.error().message();
  auto set = c.command({"SET", "bars:SPY:1s", "x"});  // command not allowed
  ASSERT_FALSE(set);
  EXPECT_NE(set.error().message().find("SET bars:SPY:1s: NOPERM"), std::string::npos)
      << set.error().message();
  // A seal by a user without write permission fails whole, naming the first refused command.
  Seal seal;
  seal.sym = "SPY";
  seal.bars = "bytes";
  auto w = write_seal(c, seal);
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message().find("SET bars:SPY:1s: NOPERM"), std::string::npos)
      << w.error().message();
  EXPECT_TRUE(c.connected());
  // Nothing of the refused seal was applied.
  Connection admin(fast_config(server_->url()));
  auto exists = admin.command({"EXISTS", "bars:SPY:1s", "bundle:SPY", "quote:SPY"});
  ASSERT_TRUE(exists);
  EXPECT_EQ(*exists->integer(), 0);
}

// ---- kill and restart ------------------------------------------------------------------

TEST(BusRestart, ServerKilledAndRestartedIsUnavailableThenBack) {
  auto s = harrier::testing::RedisServer::start();
  ASSERT_TRUE(s) << s.error().to_string();
  auto& server = **s;
  Connection c(fast_config(server.url()));
  ASSERT_TRUE(c.command({"SET", "a", "1"}));
  ASSERT_TRUE(server.kill());
  auto down = c.command({"GET", "a"});
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code(), ErrorCode::kUnavailable);
  auto still_down = c.command({"GET", "a"});  // refused by backoff or by the closed port
  ASSERT_FALSE(still_down);
  EXPECT_EQ(still_down.error().code(), ErrorCode::kUnavailable);
  ASSERT_TRUE(server.restart());
  auto back = test::eventually([&] { return c.command({"SET", "a", "2"}); });
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_GE(c.stats().connects, 2u);
  EXPECT_GE(c.stats().disconnects, 1u);
}

}  // namespace
}  // namespace harrier::bus
