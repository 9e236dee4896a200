// P1 `harrier ingest` run as a separate process against a private redis-server (issue #5).
// The replay is the real SPY day (LEAN trades plus LEAN's 1 s quote bars as quote ticks).
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "arrow/bar_codec.h"
#include "bus/bar_store.h"
#include "bus/connection.h"
#include "bus/events.h"
#include "bus/keys.h"
#include "bus/state.h"
#include "bus/streams.h"
#include "market/bar_csv.h"
#include "support/child_process.h"
#include "support/redis_server.h"

namespace harrier {
namespace {

using testing::ChildProcess;
using testing::eventually;
using testing::RedisServer;

const std::string kData = std::string(HARRIER_SOURCE_DIR) + "/tests/data/equity_us/spy/";
const std::string kTrades = kData + "tick/spy_20131007_trades.csv.zst";
const std::string kQuotes = kData + "second/spy_20131007_quotes_1s.csv.zst";
const std::string kFrom = "2013-10-07T09:30:00-04:00";
const std::string kTo = "2013-10-07T09:40:00-04:00";

std::string temp_dir() {
  char tmpl[] = "/tmp/harrier_ingest_test_XXXXXX";
  const char* d = mkdtemp(tmpl);
  return d ? d : "/tmp";
}

// The rows `harrier bars` writes offline, keyed by interval and bar start.
std::map<std::pair<std::string, TimestampNs>, std::string> offline_bars(const std::string& dir) {
  const std::string out = dir + "/offline.csv";
  ChildProcess bars({HARRIER_BINARY, "bars", "--replay", kTrades, "--replay", "SPY=" + kQuotes,
                     "--from", kFrom, "--to", kTo, "--csv", "--out", out},
                    dir + "/bars.log");
  EXPECT_EQ(bars.wait(120000), 0) << bars.output();
  std::map<std::pair<std::string, TimestampNs>, std::string> rows;
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    // symbol,interval,ts,...
    auto c1 = line.find(',');
    auto c2 = line.find(',', c1 + 1);
    auto c3 = line.find(',', c2 + 1);
    std::string iv = line.substr(c1 + 1, c2 - c1 - 1);
    TimestampNs ts = std::stoll(line.substr(c2 + 1, c3 - c2 - 1));
    rows[{iv, ts}] = line + "\n";
  }
  return rows;
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = RedisServer::start();
    ASSERT_TRUE(r) << r.error().to_string();
    redis_ = std::move(r).value();
    dir_ = temp_dir();
    bus::ConnectionConfig cfg;
    cfg.url = redis_->url();
    cfg.command_timeout_ns = 10 * kNsPerSec;
    conn_ = std::make_unique<bus::Connection>(cfg);
  }

  std::vector<std::string> ingest_args(std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {HARRIER_BINARY, "ingest",
                                  "--set",        "redis.url=" + redis_->url(),
                                  "--set",        "feed.kind=replay",
                                  "--set",        "feed.path=" + kTrades + ",SPY=" + kQuotes,
                                  "--set",        "feed.from=" + kFrom,
                                  "--set",        "feed.to=" + kTo};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  // The stream:quote entries of `sym`, oldest first (none when the read fails).
  std::vector<bus::QuoteEvent> quote_entries_of(std::string_view sym) {
    std::vector<bus::QuoteEvent> out;
    auto range =
        conn_->command({"XRANGE", bus::keys::stream_name(bus::keys::Stream::kQuote), "-", "+"});
    if (!range) return out;
    auto entries = bus::parse_entries(range->view());
    if (!entries) return out;
    for (const auto& e : *entries) {
      auto ev = bus::decode_quote_event(e.fields);
      if (ev && ev->sym == sym) out.push_back(std::move(ev).value());
    }
    return out;
  }

  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<bus::Connection> conn_;
  std::string dir_;
};

// Issue #5 "what must show" 1, the P1 part: every bar `harrier bars` computes offline is in
// Redis with identical values, read back through Arrow; one new_bar entry per bar; the bundle
// holds the same bytes as bars:{sym}:{iv}.
TEST_F(IngestTest, ReplayWritesEveryOfflineBarThroughArrow) {
  auto offline = offline_bars(dir_);
  ASSERT_GT(offline.size(), 600u);  // ten minutes: 600 1 s bars and the longer intervals

  // A window large enough to hold every bar of the ten minutes, so all can be compared.
  ChildProcess p1(ingest_args({"--set", "bars.window=700"}), dir_ + "/ingest.log");
  std::int64_t entries = 0;
  ASSERT_TRUE(eventually(
      [&] {
        auto n = conn_->command({"XLEN", "stream:new_bar"});
        entries = n ? n->integer().value_or(0) : 0;
        return entries >= static_cast<std::int64_t>(offline.size()) || !p1.running();
      },
      240000))
      << p1.output();
  ASSERT_TRUE(p1.running()) << p1.output();
  EXPECT_EQ(entries, static_cast<std::int64_t>(offline.size()));

  // One new_bar entry per offline bar, each naming a bar offline has, in seq order per interval.
  auto range = conn_->command({"XRANGE", "stream:new_bar", "-", "+"});
  ASSERT_TRUE(range);
  auto events = bus::parse_entries(range->view());
  ASSERT_TRUE(events);
  std::map<std::string, std::int64_t> next_seq;
  for (const auto& e : *events) {
    auto ev = bus::decode_new_bar(e.fields);
    ASSERT_TRUE(ev) << ev.error().to_string();
    EXPECT_EQ(ev->sym, "SPY");
    std::string iv(interval_name(ev->iv));
    EXPECT_EQ(offline.count({iv, ev->bar_start_ns}), 1u) << iv << " " << ev->bar_start_ns;
    EXPECT_EQ(ev->seq, next_seq[iv]++) << iv;
  }

  // Every offline bar, bit for bit, through Arrow.
  std::size_t compared = 0;
  for (Interval iv : kAllIntervals) {
    auto bytes = bus::read_interval(*conn_, "SPY", iv);
    ASSERT_TRUE(bytes && bytes->has_value()) << interval_name(iv);
    const std::string& raw = **bytes;
    auto span = std::span(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
    auto info = arrow::read_bar_metadata(span);
    ASSERT_TRUE(info) << info.error().to_string();
    EXPECT_EQ(info->symbol, "SPY");
    EXPECT_EQ(info->interval, iv);
    auto bars = arrow::decode_bars(span);
    ASSERT_TRUE(bars) << bars.error().to_string();
    std::size_t expected = 0;
    for (const auto& [key, row] : offline) expected += key.first == interval_name(iv);
    EXPECT_EQ(bars->size(), expected) << interval_name(iv);
    for (const Bar& b : *bars) {
      std::string row;
      append_bar_csv_row(row, "SPY", iv, b);
      auto it = offline.find({std::string(interval_name(iv)), b.ts});
      ASSERT_NE(it, offline.end()) << interval_name(iv) << " " << b.ts;
      EXPECT_EQ(row, it->second);
      ++compared;
    }
    // The bundle field holds the same bytes.
    auto field = conn_->command({"HGET", bus::keys::bundle("SPY"), interval_name(iv)});
    ASSERT_TRUE(field);
    auto field_bytes = field->string();
    ASSERT_TRUE(field_bytes);
    EXPECT_EQ(*field_bytes, raw) << interval_name(iv);
  }
  EXPECT_EQ(compared, offline.size());

  // quote:{sym} holds the last quote of the replay (LEAN's 09:39:59 quote bar close).
  auto q = bus::read_hash(*conn_, bus::keys::quote("SPY"));
  ASSERT_TRUE(q && q->has_value());
  std::map<std::string, std::string> quote((*q)->begin(), (*q)->end());
  EXPECT_EQ(quote["ts_ns"], "1381153199999000000");

  p1.signal(SIGTERM);
  EXPECT_EQ(p1.wait(20000), 0) << p1.output();
  auto hb = bus::read_heartbeat(*conn_, "ingest");
  ASSERT_TRUE(hb && hb->has_value());
  EXPECT_NE((*hb)->find("\"state\":\"stopped\""), std::string::npos) << **hb;
  EXPECT_NE((*hb)->find("\"bars_sealed\":" + std::to_string(offline.size())), std::string::npos)
      << **hb;
}

// Issue #7: P1 publishes every price change of a symbol in stops:guarded on stream:quote, none
// merged away (changes made while an entry waits join it), so P3 is woken by the quote that
// crosses a stop. The simulator (seeded) gives the
// same ticks as `harrier sim` with the same options, which is the reference.
TEST_F(IngestTest, GuardedSymbolsQuotesArePublishedOnStreamQuote) {
  ASSERT_TRUE(conn_->command({"SADD", bus::keys::stops_guarded(), "QQQ", "NOPE"}));
  const std::vector<std::string> sim = {"--symbols", "3", "--rate", "3000",
                                        "--seconds", "2", "--seed", "7"};
  ChildProcess p1({HARRIER_BINARY, "ingest",
                   "--set",        "redis.url=" + redis_->url(),
                   "--set",        "feed.kind=sim",
                   "--set",        "sim.symbols=3",
                   "--set",        "sim.rate=3000",
                   "--set",        "sim.seconds=2",
                   "--set",        "sim.seed=7",
                   "--set",        "sim.start=now",
                   "--set",        "sim.open_burst=false",
                   "--set",        "heartbeat.interval_ms=100"},
                  dir_ + "/guarded.log");
  ASSERT_TRUE(
      eventually([&] { return p1.output().find("feed finished") != std::string::npos; }, 60000))
      << p1.output();

  // The reference: QQQ's prices (bid, ask, last) after each of its ticks of the same session
  // that changes one of them (a change of sizes alone is not published: stops act on prices).
  const std::string csv = dir_ + "/sim.csv";
  std::vector<std::string> sim_args = {HARRIER_BINARY, "sim", "--out", csv};
  sim_args.insert(sim_args.end(), sim.begin(), sim.end());
  ChildProcess gen(sim_args, dir_ + "/sim.log");
  ASSERT_EQ(gen.wait(60000), 0) << gen.output();
  using Prices = std::array<double, 3>;
  auto same = [](const Prices& a, const Prices& b) {
    for (std::size_t i = 0; i < 3; ++i) {
      if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
    }
    return true;
  };
  std::ifstream in(csv);
  std::string line;
  std::vector<Prices> reference;
  std::size_t qqq_ticks = 0;
  Prices px = {kNaN, kNaN, kNaN};
  while (std::getline(in, line)) {
    // ts_ns,symbol,event,price,size,bid_price,bid_size,ask_price,ask_size,venue
    std::vector<std::string> f;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) f.push_back(cell);
    if (f.size() < 9 || f[1] != "QQQ") continue;
    ++qqq_ticks;
    const Prices before = px;
    if (f[2] == "trade") {
      px[2] = std::stod(f[3]);
    } else {
      px[0] = std::stod(f[5]);
      px[1] = std::stod(f[7]);
    }
    if (!same(px, before)) reference.push_back(px);
  }
  const std::size_t qqq = reference.size();
  ASSERT_GT(qqq, 100u);
  ASSERT_LT(qqq, qqq_ticks);  // most ticks change sizes only

  auto range =
      conn_->command({"XRANGE", bus::keys::stream_name(bus::keys::Stream::kQuote), "-", "+"});
  ASSERT_TRUE(range);
  auto entries = bus::parse_entries(range->view());
  ASSERT_TRUE(entries);
  // The changes the entries carry (an entry's path, then its own fields), in order.
  std::vector<Prices> published;
  TimestampNs prev = 0;
  bus::QuoteEvent last;
  for (const auto& e : *entries) {
    auto ev = bus::decode_quote_event(e.fields);
    ASSERT_TRUE(ev) << ev.error().to_string();
    EXPECT_EQ(ev->sym, "QQQ");
    ev->path.push_back(ev->point());
    for (const bus::QuotePoint& p : ev->path) {
      EXPECT_GE(p.ts_ns, prev);
      prev = p.ts_ns;
      published.push_back({p.bid, p.ask, p.last});
    }
    last = *ev;
  }
  // Every QQQ price change after P1 first read stops:guarded (within its first 50 ms) is
  // there, in order, and nothing of the unguarded symbols; the first published is that first
  // tick, whatever it changed.
  ASSERT_GE(published.size(), qqq * 8 / 10) << qqq;
  ASSERT_LE(published.size(), qqq + 1);
  const std::size_t tail = published.size() - 1;
  for (std::size_t i = 0; i < tail; ++i) {
    ASSERT_TRUE(same(published[1 + i], reference[qqq - tail + i])) << "change " << i + 1;
  }
  // The last entry is the session's last QQQ quote (prices do not depend on the start time).
  auto q = bus::read_hash(*conn_, bus::keys::quote("QQQ"));
  ASSERT_TRUE(q && q->has_value());
  std::map<std::string, std::string> quote((*q)->begin(), (*q)->end());
  EXPECT_EQ(std::stod(quote["bid"]), last.bid);
  EXPECT_EQ(std::stod(quote["ask"]), last.ask);

  p1.signal(SIGTERM);
  EXPECT_EQ(p1.wait(20000), 0) << p1.output();
  auto hb = bus::read_heartbeat(*conn_, "ingest");
  ASSERT_TRUE(hb && hb->has_value());
  EXPECT_NE((*hb)->find("\"quote_events\":" + std::to_string(entries->size())), std::string::npos)
      << **hb;
  EXPECT_NE((*hb)->find("\"quote_changes\":" + std::to_string(published.size())), std::string::npos)
      << **hb;
}

// The scheduling policy (field 41 of /proc/PID/task/TID/stat) of each of the process's threads
// by name.
std::map<std::string, int> thread_policies(pid_t pid) {
  std::map<std::string, int> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(task.path() / "stat");
    std::string stat;
    std::getline(in, stat);  // one line
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));  // field 3 onwards
    std::string field;
    for (int i = 3; i <= 41 && rest >> field; ++i) {
      if (i == 41) out[stat.substr(open + 1, close - open - 1)] = std::stoi(field);
    }
  }
  return out;
}

// ingest.rt_priority: the feed and bar threads (and only they) run under SCHED_FIFO when the
// process may; when it may not (no CAP_SYS_NICE, RLIMIT_RTPRIO 0) P1 says so and runs anyway.
// A symbol guarded mid-session gets its current quote on stream:quote at once, without waiting
// for its next tick: QQQ quotes once at the start and never again, SPY keeps ticking; QQQ is
// guarded half a second in, and its one quote must still reach stream:quote (before, a new stop
// heard from stream:quote only at the symbol's next tick, and a price that crossed it before P1
// knew of the position was only in the coalesced quote:{sym}).
TEST_F(IngestTest, ANewlyGuardedSymbolsCurrentQuoteIsPublishedAtOnce) {
  const std::string csv = dir_ + "/ticks.csv";
  {
    std::ofstream out(csv);
    const TimestampNs t0 = 1'700'000'000'000'000'000;
    out << "ts_ns,symbol,event,price,size,bid_price,bid_size,ask_price,ask_size,venue\n";
    out << t0 << ",QQQ,quote,,,380.1,300,380.2,400,\n";
    for (int i = 1; i <= 600; ++i) {
      const double bid = 450.0 + (i % 7) * 0.01;
      out << t0 + i * 5 * kNsPerMs << ",SPY,quote,,," << bid << ",100," << bid + 0.01 << ",100,\n";
    }
  }
  ChildProcess p1({HARRIER_BINARY, "ingest", "--set", "redis.url=" + redis_->url(), "--set",
                   "feed.kind=replay", "--set", "feed.path=" + csv, "--set", "feed.speed=1"},
                  dir_ + "/guard.log");
  ASSERT_TRUE(eventually([&] {
    auto q = bus::read_hash(*conn_, bus::keys::quote("SPY"));
    return q && q->has_value();
  })) << p1.output();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(conn_->command({"SADD", bus::keys::stops_guarded(), "QQQ"}));
  std::optional<bus::QuoteEvent> qqq;
  ASSERT_TRUE(eventually(
      [&] {
        auto entries = quote_entries_of("QQQ");
        if (!entries.empty()) qqq = entries.back();
        return qqq.has_value();
      },
      2000))
      << p1.output();
  EXPECT_EQ(qqq->bid, 380.1);
  EXPECT_EQ(qqq->ask, 380.2);
  EXPECT_EQ(qqq->ts_ns, 1'700'000'000'000'000'000);
  EXPECT_TRUE(qqq->path.empty());
  p1.signal(SIGTERM);
  EXPECT_EQ(p1.wait(10000), 0) << p1.output();
}

// A symbol guarded because of an entry fill gets its price changes since the fill on
// stream:quote at once, oldest first (a price that crossed the new stop before P1 knew of the
// position was otherwise only in the coalesced quote:{sym}), and none from before the fill.
// QQQ's bid climbs a cent every 5 ms for 300 ms and then QQQ falls silent; SPY keeps the replay
// going. Once P1 has QQQ's last quote, an entry fill of QQQ timed at 250 ms is announced.
TEST_F(IngestTest, AFilledSymbolsChangesSinceTheFillArePublishedWhenItIsGuarded) {
  const std::string csv = dir_ + "/ticks.csv";
  const TimestampNs t0 = 1'700'000'000'000'000'000;
  {
    std::ofstream out(csv);
    out << "ts_ns,symbol,event,price,size,bid_price,bid_size,ask_price,ask_size,venue\n";
    for (int i = 0; i <= 600; ++i) {
      const TimestampNs ts = t0 + i * 5 * kNsPerMs;
      if (i <= 60) {
        const double bid = 380.0 + i * 0.01;
        out << ts << ",QQQ,quote,,," << bid << ",300," << bid + 0.05 << ",400,\n";
        out << ts << ",QQQ,quote,,," << bid << ",301," << bid + 0.05 << ",400,\n";  // sizes
      }
      const double bid = 450.0 + (i % 7) * 0.01;
      out << ts << ",SPY,quote,,," << bid << ",100," << bid + 0.01 << ",100,\n";
    }
  }
  ChildProcess p1({HARRIER_BINARY, "ingest", "--set", "redis.url=" + redis_->url(), "--set",
                   "feed.kind=replay", "--set", "feed.path=" + csv, "--set", "feed.speed=1"},
                  dir_ + "/fill.log");
  ASSERT_TRUE(eventually([&] {
    auto q = bus::read_hash(*conn_, bus::keys::quote("QQQ"));
    if (!q || !q->has_value()) return false;
    std::map<std::string, std::string> quote((*q)->begin(), (*q)->end());
    return quote["ts_ns"] == std::to_string(t0 + 300 * kNsPerMs);
  })) << p1.output();
  const TimestampNs fill_ts = t0 + 250 * kNsPerMs;
  ASSERT_TRUE(bus::publish(
      *conn_, bus::EntryFireEvent{"QQQ", Side::kBuy, 100, 380.55, "erc-QQQ-buy-1", fill_ts}));
  std::vector<bus::QuoteEvent> qqq;
  ASSERT_TRUE(eventually(
      [&] {
        qqq = quote_entries_of("QQQ");
        return !qqq.empty() && qqq.back().ts_ns == t0 + 300 * kNsPerMs;
      },
      3000))
      << p1.output();
  // The changes at 250, 255, ..., 300 ms, in order, the last one the entries' newest fields.
  std::vector<bus::QuotePoint> got;
  for (bus::QuoteEvent& ev : qqq) {
    got.insert(got.end(), ev.path.begin(), ev.path.end());
    got.push_back(ev.point());
  }
  ASSERT_EQ(got.size(), 11u);
  for (std::size_t k = 0; k < got.size(); ++k) {
    const int i = 50 + static_cast<int>(k);
    EXPECT_EQ(got[k].ts_ns, t0 + i * 5 * kNsPerMs) << k;
    EXPECT_NEAR(got[k].bid, 380.0 + i * 0.01, 1e-9) << k;
  }
  EXPECT_EQ(qqq.back().bid_size, 301);  // the current quote's sizes
  p1.signal(SIGTERM);
  EXPECT_EQ(p1.wait(10000), 0) << p1.output();
}

TEST_F(IngestTest, RtPriorityPutsTheFeedAndBarThreadsUnderSchedFifo) {
  ChildProcess p1({HARRIER_BINARY, "ingest", "--set", "redis.url=" + redis_->url(), "--set",
                   "feed.kind=sim", "--set", "sim.symbols=2", "--set", "sim.rate=500", "--set",
                   "sim.seconds=4", "--set", "sim.start=now", "--set", "ingest.rt_priority=3"},
                  dir_ + "/rt.log");
  std::map<std::string, int> policy;
  ASSERT_TRUE(eventually(
      [&] {
        policy = thread_policies(p1.pid());
        return policy.count("bars") && policy.count("feed") && policy.count("io") &&
               (p1.output().find("SCHED_FIFO priority 3") != std::string::npos ||
                p1.output().find("normal scheduler") != std::string::npos);
      },
      30000))
      << p1.output();
  sched_param sp{};
  sp.sched_priority = 3;
  // Whether this test's own process may do it says whether P1 may.
  const bool allowed = sched_setscheduler(0, SCHED_FIFO, &sp) == 0;
  if (allowed) {
    sp.sched_priority = 0;
    sched_setscheduler(0, SCHED_OTHER, &sp);
  }
  const int want = allowed ? SCHED_FIFO : SCHED_OTHER;
  EXPECT_EQ(policy["bars"], want) << p1.output();
  EXPECT_EQ(policy["feed"], want) << p1.output();
  EXPECT_EQ(policy["io"], SCHED_OTHER) << "the IO thread keeps the normal scheduler";
  EXPECT_EQ(policy["guarded"], SCHED_OTHER);
  if (!allowed) {
    EXPECT_NE(p1.output().find("stays under the normal scheduler"), std::string::npos)
        << p1.output();
  }
  ASSERT_TRUE(
      eventually([&] { return p1.output().find("feed finished") != std::string::npos; }, 60000))
      << p1.output();
}

TEST_F(IngestTest, BadConfigExitsTwoNamingTheKey) {
  struct Case {
    std::vector<std::string> args;
    std::string key;
  };
  const std::vector<Case> cases = {
      {{"--set", "feed.speed=fast"}, "feed.speed"},
      {{"--set", "feed.from=yesterday"}, "feed.from"},
      {{"--set", "bars.session_tz=Mars/Olympus"}, "bars.session_tz"},
      {{"--set", "bars.window=0"}, "bars.window"},
      {{"--set", "feed.path=/nonexistent/ticks.csv"}, "feed.path"},
      {{"--set", "feed.nope=1"}, "feed.nope"},
  };
  for (const Case& c : cases) {
    ChildProcess p(ingest_args(c.args), dir_ + "/bad.log");
    EXPECT_EQ(p.wait(20000), 2) << c.key << "\n" << p.output();
    EXPECT_NE(p.output().find(c.key), std::string::npos) << p.output();
  }
}

}  // namespace
}  // namespace harrier
