#include "config/config.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "market/trade_rule.h"

namespace harrier {
namespace {

class TempToml {
 public:
  explicit TempToml(const std::string& body) {
    char name[] = "/tmp/harrier_config_test_XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = name;
    std::ofstream(path_) << body;
  }
  ~TempToml() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Config, DefaultsWithoutAFile) {
  auto c = load_config("", {});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->feed.kind, "sim");
  EXPECT_EQ(c->bars.window, 120);
  EXPECT_EQ(c->telemetry.http, "127.0.0.1:9464");
  EXPECT_EQ(c->strategy.name, "ema_rsi_confluence");
}

TEST(Config, StrategyEmaUptrendDefaultsOnAndCanBeDropped) {
  auto d = load_config("", {});
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_TRUE(d->strategy.ema_uptrend);
  auto off = load_config("", {"strategy.ema_uptrend=false"});
  ASSERT_TRUE(off) << off.error().to_string();
  EXPECT_FALSE(off->strategy.ema_uptrend);
  auto bad = load_config("", {"strategy.ema_uptrend=sometimes"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("strategy.ema_uptrend"), std::string::npos)
      << bad.error().message();
}

TEST(Config, TradeRuleDefaultsAgreeWithTheBarEngine) {
  Config c;
  TradeRule r;
  EXPECT_EQ(c.bars.price_exclude, TradeRule::format_flags(r.price_exclude));
  EXPECT_EQ(c.bars.price_exclude_regular, TradeRule::format_flags(r.price_exclude_regular));
  EXPECT_EQ(c.bars.volume_exclude, TradeRule::format_flags(r.volume_exclude));
}

TEST(Config, FileThenOverrides) {
  TempToml f(
      "[redis]\nurl = \"unix:/tmp/r.sock\"\n[feed]\nkind = \"replay\"\n"
      "path = [\"a.csv\", \"SPY=b.csv.zst\"]\nspeed = \"10\"\n[bars]\nwindow = 60\n");
  auto c = load_config(f.path(), {"bars.window=30", "feed.symbols=SPY,QQQ"});
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->redis.url, "unix:/tmp/r.sock");
  EXPECT_EQ(c->feed.path.size(), 2u);
  EXPECT_EQ(c->feed.path[1], "SPY=b.csv.zst");
  EXPECT_EQ(c->bars.window, 30);  // --set wins over the file
  ASSERT_EQ(c->feed.symbols.size(), 2u);
  EXPECT_EQ(c->feed.symbols[1], "QQQ");
}

TEST(Config, ErrorsNameTheKey) {
  TempToml unknown("[feed]\nkindd = \"sim\"\n");
  auto a = load_config(unknown.path(), {});
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message().find("'feed.kindd'"), std::string::npos) << a.error().message();

  TempToml wrong_type("[bars]\nwindow = \"many\"\n");
  auto b = load_config(wrong_type.path(), {});
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message().find("'bars.window'"), std::string::npos);

  auto c = load_config("", {"feed.kind=carrier-pigeon"});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("'feed.kind'"), std::string::npos);
  EXPECT_NE(c.error().message().find("replay, sim"), std::string::npos);

  auto d = load_config("", {"bars.window=0"});
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message().find("out of range"), std::string::npos);

  auto e = load_config("", {"manager.cpu_ingest=3-1"});
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("'manager.cpu_ingest'"), std::string::npos);

  auto f = load_config("", {"feed.kind=replay"});
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message().find("'feed.path'"), std::string::npos);

  auto g = load_config("", {"nosuchkey"});
  ASSERT_FALSE(g);

  TempToml syntax("[feed\nkind = 1\n");
  auto h = load_config(syntax.path(), {});
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().message().find(syntax.path() + ":1:"), std::string::npos)
      << h.error().message();

  auto missing = load_config("/nonexistent/harrier.toml", {});
  ASSERT_FALSE(missing);
}

TEST(Config, ExampleParsesBackToTheDefaults) {
  TempToml f(config_example());
  auto c = load_config(f.path(), {});
  ASSERT_TRUE(c) << c.error().to_string();
  Config d;
  EXPECT_EQ(c->bars.window, d.bars.window);
  EXPECT_EQ(c->sim.rate, d.sim.rate);
  EXPECT_EQ(c->strategy.intervals, d.strategy.intervals);
  EXPECT_EQ(c->manager.redis_server, d.manager.redis_server);
}

TEST(Config, CpuLists) {
  auto a = parse_cpu_list("0-3,8,10-11");
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_FALSE(parse_cpu_list(""));
  EXPECT_FALSE(parse_cpu_list("1,"));
  EXPECT_FALSE(parse_cpu_list("a-b"));
  EXPECT_FALSE(parse_cpu_list("-1"));
}

}  // namespace
}  // namespace harrier
