// Unit tests of the bus parts that need no server: names, backoff, histogram, event and quote
// codecs, URL parsing, command descriptions. Server behaviour is tested in
// tests/integration/bus_*_test.cc against a real redis-server.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "bus/backoff.h"
#include "bus/bar_store.h"
#include "bus/connection.h"
#include "bus/events.h"
#include "bus/keys.h"
#include "bus/latency_histogram.h"
#include "support/listed_pieces.h"

namespace harrier::bus {
namespace {

TEST(Keys, SpellTheArchitectureNames) {
  EXPECT_EQ(keys::bars("SPY", Interval::k5s), "bars:SPY:5s");
  EXPECT_EQ(keys::bars("BRK.B", Interval::k5m), "bars:BRK.B:5m");
  EXPECT_EQ(keys::bundle("SPY"), "bundle:SPY");
  EXPECT_EQ(keys::quote("SPY"), "quote:SPY");
  EXPECT_EQ(keys::engine_state("SPY", Side::kSell), "engine_state:SPY:sell");
  EXPECT_EQ(keys::position("QQQ"), "position:QQQ");
  EXPECT_EQ(keys::order("abc-1"), "order:abc-1");
  EXPECT_EQ(keys::heartbeat("ingest"), "heartbeat:ingest");
  EXPECT_EQ(keys::bundle_field(Interval::k1m), "1m");
  EXPECT_EQ(keys::stream_name(keys::Stream::kNewBar), "stream:new_bar");
  EXPECT_EQ(keys::stream_name(keys::Stream::kSweep), "stream:sweep");
  EXPECT_EQ(keys::stream_name(keys::Stream::kEntryFire), "stream:entry_fire");
  EXPECT_EQ(keys::stream_name(keys::Stream::kExitFire), "stream:exit_fire");
}

TEST(Keys, RejectBadOrderIdsAndRoles) {
  EXPECT_TRUE(keys::validate_order_id("P2-18-000042"));
  EXPECT_FALSE(keys::validate_order_id(""));
  EXPECT_FALSE(keys::validate_order_id("a b"));
  EXPECT_FALSE(keys::validate_order_id(std::string(65, 'x')));
  EXPECT_FALSE(keys::validate_order_id(std::string("a\0b", 3)));
  EXPECT_TRUE(keys::validate_role("telemetry"));
  EXPECT_FALSE(keys::validate_role("Ingest"));
  EXPECT_FALSE(keys::validate_role(""));
}

TEST(Backoff, GrowsExponentiallyWithinJitterAndCaps) {
  BackoffPolicy p{.initial_ns = 100, .max_ns = 1000, .jitter = 0.5, .seed = 7};
  Backoff b(p);
  const DurationNs caps[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (DurationNs cap : caps) {
    DurationNs d = b.next_delay();
    EXPECT_LE(d, cap);
    EXPECT_GE(d, cap / 2);
  }
  b.reset();
  EXPECT_LE(b.next_delay(), 100);
}

TEST(Backoff, NoJitterIsExactAndSeedsRepeat) {
  Backoff exact(BackoffPolicy{.initial_ns = 10, .max_ns = 35, .jitter = 0.0, .seed = 1});
  EXPECT_EQ(exact.next_delay(), 10);
  EXPECT_EQ(exact.next_delay(), 20);
  EXPECT_EQ(exact.next_delay(), 35);
  Backoff a(BackoffPolicy{.initial_ns = 1000, .max_ns = 100000, .jitter = 1.0, .seed = 9});
  Backoff b(BackoffPolicy{.initial_ns = 1000, .max_ns = 100000, .jitter = 1.0, .seed = 9});
  bool varied = false;
  DurationNs first = 0;
  for (int i = 0; i < 6; ++i) {
    DurationNs x = a.next_delay();
    EXPECT_EQ(x, b.next_delay());
    if (i == 0) first = x;
    varied = varied || (i > 0 && x != first);
  }
  EXPECT_TRUE(varied);
}

TEST(LatencyHistogram, QuantilesWithinOneBucket) {
  LatencyHistogram h;
  EXPECT_EQ(h.p50(), 0);
  for (int i = 1; i <= 1000; ++i) h.record(i * 1000);  // 1 us .. 1 ms
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.max(), 1'000'000);
  // Upper edges are within 12.5% above the true quantile.
  EXPECT_GE(h.p50(), 500'000);
  EXPECT_LE(h.p50(), 500'000 * 1125 / 1000);
  EXPECT_GE(h.p99(), 990'000);
  EXPECT_LE(h.p99(), 1'000'000);
  h.record(-5);
  EXPECT_EQ(h.quantile(0.0), LatencyHistogram::upper_edge(0));
}

TEST(LatencyHistogram, BucketsAreMonotonic) {
  int prev = -1;
  for (DurationNs v = 1; v < (DurationNs{1} << 42); v = v * 3 / 2 + 1) {
    int b = LatencyHistogram::bucket_of(v);
    EXPECT_GE(b, prev);
    EXPECT_LT(b, LatencyHistogram::kBuckets);
    if (b < LatencyHistogram::kBuckets - 1) {
      EXPECT_LE(v, LatencyHistogram::upper_edge(b));
    }
    prev = b;
  }
}

TEST(CommandBatch, RespIsWhatHiredisFormats) {
  const std::string binary("a\0b\r\n", 5);
  const std::string big(70000, 'x');
  CommandBatch batch;
  batch.add({"SET", "bars:SPY:1s", binary});
  batch.add({"PING"});
  batch.add({"HSET", "k", "", big});
  for (std::size_t i = 0; i < batch.size(); ++i) {
    std::string ours;
    append_resp(ours, batch, i);
    char* theirs = nullptr;
    const long long n =
        redisFormatCommandArgv(&theirs, static_cast<int>(batch.argc(i)),
                               const_cast<const char**>(batch.argv(i)), batch.argvlen(i));
    ASSERT_GT(n, 0);
    EXPECT_EQ(ours, std::string(theirs, static_cast<std::size_t>(n))) << i;
    redisFreeCommand(theirs);
  }
}

// Connection::run sends what frame_pipeline gives: the same bytes as hiredis, with the long
// arguments sent from the batch's own memory.
TEST(CommandBatch, FramedPipelineIsWhatHiredisFormatsAndBorrowsLongArguments) {
  const std::string binary("a\0b\r\n", 5);
  const std::string big(70000, 'x');
  const std::string edge(kBorrowArgBytes, 'e');
  CommandBatch batch;
  batch.add({"SET", "bars:SPY:1s", binary});
  batch.add({"HSET", "k", "", big, "quote", edge});
  batch.add({"PING"});
  batch.add({"SET", "k2", big});
  std::string theirs_all;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    char* theirs = nullptr;
    const long long n =
        redisFormatCommandArgv(&theirs, static_cast<int>(batch.argc(i)),
                               const_cast<const char**>(batch.argv(i)), batch.argvlen(i));
    ASSERT_GT(n, 0);
    theirs_all.append(theirs, static_cast<std::size_t>(n));
    redisFreeCommand(theirs);
  }
  for (std::size_t borrow_min : {std::size_t{1}, kBorrowArgBytes, std::size_t{1} << 40}) {
    std::string wire;
    std::vector<WirePiece> pieces;
    frame_pipeline(batch, borrow_min, wire, pieces);
    std::string ours;
    std::size_t borrowed = 0;
    for (const WirePiece& p : pieces) {
      if (p.data == nullptr) {
        ASSERT_LE(p.offset + p.len, wire.size());
        ours.append(wire, p.offset, p.len);
      } else {
        ASSERT_GE(p.len, borrow_min);
        ours.append(p.data, p.len);
        ++borrowed;
      }
    }
    EXPECT_EQ(ours, theirs_all) << borrow_min;
    if (borrow_min == kBorrowArgBytes) {
      EXPECT_EQ(borrowed, 3u);  // big twice and edge; nothing else is that long
      EXPECT_LT(wire.size(), 1000u);
      for (const WirePiece& p : pieces) {
        if (p.data != nullptr) {
          EXPECT_TRUE(p.data == big.data() || p.data == edge.data());
        }
      }
    }
    if (borrow_min == (std::size_t{1} << 40)) {
      EXPECT_EQ(borrowed, 0u);
    }
  }
}

// An arg_pieces() argument is one bulk string: the same bytes as a plain argument holding its
// pieces one after another, in append_resp and in frame_pipeline, which sends the pieces of
// kBorrowPieceBytes or more from where they are.
TEST(CommandBatch, PiecesArgumentIsOneBulkStringAndBorrowsItsLongPieces) {
  const std::string a(3000, 'a'), b(kBorrowPieceBytes - 1, 'b'), c(kBorrowPieceBytes, 'c');
  const std::string tiny("\0\r\n", 3);
  const std::vector<std::string_view> parts = {a, tiny, b, c, "", a};
  std::string joined;
  for (std::string_view p : parts) joined.append(p);

  CommandBatch gathered, plain;
  gathered.add({"MULTI"});
  gathered.begin();
  gathered.arg("SET");
  gathered.arg("bars:SPY:1s");
  const testing::ListedPieces source(parts);
  gathered.arg_pieces(source);
  gathered.begin();
  gathered.arg("HSET");
  gathered.arg("bundle:SPY");
  gathered.arg("1s");
  gathered.arg_pieces(source);
  gathered.arg("quote");
  gathered.arg("q");
  plain.add({"MULTI"});
  plain.add({"SET", "bars:SPY:1s", joined});
  plain.add({"HSET", "bundle:SPY", "1s", joined, "quote", "q"});
  ASSERT_EQ(gathered.size(), plain.size());
  EXPECT_EQ(gathered.describe(1), "SET bars:SPY:1s");
  EXPECT_EQ(gathered.pieces(1, 2).size(), parts.size());
  EXPECT_TRUE(gathered.pieces(1, 1).empty());
  EXPECT_EQ(gathered.pieces(2, 3).size(), parts.size());
  for (std::size_t i = 0; i < plain.size(); ++i) {
    std::string want, got;
    append_resp(want, plain, i);
    append_resp(got, gathered, i);
    EXPECT_EQ(got, want) << i;
  }
  std::string want_all;
  for (std::size_t i = 0; i < plain.size(); ++i) append_resp(want_all, plain, i);
  std::string wire;
  std::vector<WirePiece> pieces;
  frame_pipeline(gathered, kBorrowArgBytes, wire, pieces);
  std::string got_all;
  std::size_t borrowed = 0;
  for (const WirePiece& p : pieces) {
    if (p.data == nullptr) {
      got_all.append(wire, p.offset, p.len);
    } else {
      got_all.append(p.data, p.len);
      EXPECT_TRUE(p.data == a.data() || p.data == c.data());
      ++borrowed;
    }
  }
  EXPECT_EQ(got_all, want_all);
  EXPECT_EQ(borrowed, 6u);  // a twice and c, in each of the two commands
  gathered.clear();
  EXPECT_EQ(gathered.size(), 0u);
}

TEST(Events, RoundTripEveryStream) {
  NewBarEvent nb{"SPY", Interval::k15s, 1'700'000'000'000'000'000, 42, 1'700'000'015'250'000'000};
  auto nb2 = decode_new_bar(encode(nb));
  ASSERT_TRUE(nb2) << nb2.error().to_string();
  EXPECT_EQ(nb2->sym, "SPY");
  EXPECT_EQ(nb2->iv, Interval::k15s);
  EXPECT_EQ(nb2->bar_start_ns, nb.bar_start_ns);
  EXPECT_EQ(nb2->seq, 42);
  EXPECT_EQ(nb2->sealed_ns, nb.sealed_ns);

  SweepEvent sw{"QQQ", Side::kSell, 3, 1500, 123};
  auto sw2 = decode_sweep(encode(sw));
  ASSERT_TRUE(sw2);
  EXPECT_EQ(sw2->side, Side::kSell);
  EXPECT_EQ(sw2->levels, 3);
  EXPECT_EQ(sw2->volume, 1500);

  EntryFireEvent ef{"SPY", Side::kBuy, 100, 451.23, "P2-20-7", 99};
  auto ef2 = decode_entry_fire(encode(ef));
  ASSERT_TRUE(ef2);
  EXPECT_EQ(ef2->price, 451.23);
  EXPECT_EQ(ef2->client_order_id, "P2-20-7");

  ExitFireEvent xf{"SPY", "trailing_stop", 449.5, 77};
  auto xf2 = decode_exit_fire(encode(xf));
  ASSERT_TRUE(xf2);
  EXPECT_EQ(xf2->reason, "trailing_stop");
  EXPECT_EQ(xf2->stop_price, 449.5);
  EXPECT_EQ(xf2->trigger_ns, 77);
  EXPECT_EQ(encode(xf).size(), 4u);  // exactly the ARCHITECTURE fields
  EXPECT_EQ(encode(ef).size(), 6u);
  EXPECT_EQ(encode(nb).size(), 6u);

  QuoteEvent q{"SPY", 450.25, 450.26, 300, kNaN, kNaN, 1'700'000'000'000'000'123, {}};
  auto q2 = decode_quote_event(encode(q));
  ASSERT_TRUE(q2) << q2.error().to_string();
  EXPECT_EQ(q2->bid, 450.25);
  EXPECT_EQ(q2->ask, 450.26);
  EXPECT_EQ(q2->bid_size, 300);
  EXPECT_TRUE(std::isnan(q2->ask_size));
  EXPECT_TRUE(std::isnan(q2->last));
  EXPECT_EQ(q2->ts_ns, q.ts_ns);
  EXPECT_EQ(encode(q).size(), 7u);
}

TEST(Events, NewBarPublishedNsIsOptional) {
  NewBarEvent nb{"SPY", Interval::k1s, 0, 1, 2, 5};
  auto back = decode_new_bar(encode(nb));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->published_ns, 5);
  Fields old = encode(nb);
  old.pop_back();  // an entry written before published_ns existed
  back = decode_new_bar(old);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->published_ns, 0);
  Fields bad = encode(nb);
  bad.back().second = "-3";
  back = decode_new_bar(bad);
  ASSERT_FALSE(back);
  EXPECT_NE(back.error().message().find("'published_ns'"), std::string::npos);
}

TEST(Events, BadQuoteEventNamesTheField) {
  Fields f = encode(QuoteEvent{"SPY", 1, 2, 3, 4, 5, 6, {}});
  f[2].second = "-1";  // ask
  auto r = decode_quote_event(f);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("'ask'"), std::string::npos) << r.error().message();
  f = encode(QuoteEvent{"SPY", 1, 2, 3, 4, 5, 6, {}});
  f[6].second = "x";
  r = decode_quote_event(f);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("'ts_ns'"), std::string::npos);
}

// An entry that carries earlier changes: every point comes back in order, NaN sides included;
// an entry without them has no "path" field (the seven fields of before).
TEST(Events, QuoteEventPathRoundTrips) {
  QuoteEvent q{"SPY", 450.25, 450.26, 300, 200, 450.25, 1'700'000'000'000'000'123, {}};
  q.path = {{1'700'000'000'000'000'001, 450.5, 450.51, kNaN},
            {1'700'000'000'000'000'002, kNaN, 450.3, 450.29},
            {1'700'000'000'000'000'100, 449.99, 450.0, 450.29}};
  Fields f = encode(q);
  ASSERT_EQ(f.size(), 8u);
  EXPECT_EQ(f.back().first, "path");
  auto back = decode_quote_event(f);
  ASSERT_TRUE(back) << back.error().to_string();
  ASSERT_EQ(back->path.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const QuotePoint &a = q.path[i], &b = back->path[i];
    EXPECT_EQ(a.ts_ns, b.ts_ns) << i;
    for (auto [x, y] : {std::pair{a.bid, b.bid}, {a.ask, b.ask}, {a.last, b.last}}) {
      EXPECT_TRUE(x == y || (std::isnan(x) && std::isnan(y))) << i << ": " << x << " " << y;
    }
  }
  EXPECT_EQ(back->point(), (QuotePoint{q.ts_ns, 450.25, 450.26, 450.25}));
  q.path.clear();
  EXPECT_EQ(encode(q).size(), 7u);
  auto plain = decode_quote_event(encode(q));
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->path.empty());
}

TEST(Events, BadQuotePathNamesThePoint) {
  QuoteEvent q{"SPY", 1, 2, 3, 4, 5, 6, {{1, 1, 2, 3}, {2, 1, 2, 3}}};
  for (const char* bad : {"1,1,2,3;2,1,-2,3", "1,1,2,3;2,1,2", "1,1,2,3;x,1,2,3", "1,1,2,3;",
                          "1,1,2,3;2,1,2,3,4", "1,1,2,3;2,1,inf,3"}) {
    Fields f = encode(q);
    f.back().second = bad;
    auto r = decode_quote_event(f);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message().find("'path'"), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find("point 1"), std::string::npos) << r.error().message();
  }
}

TEST(Events, BadFieldsAreErrorsNamingTheField) {
  Fields f = encode(NewBarEvent{"SPY", Interval::k1s, 0, 1, 2});
  f[1].second = "7s";
  auto r = decode_new_bar(f);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("'iv'"), std::string::npos) << r.error().message();

  Fields g = encode(EntryFireEvent{"SPY", Side::kBuy, 1, 10.0, "id", 0});
  g[3].second = "nan";
  auto r2 = decode_entry_fire(g);
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().message().find("'price'"), std::string::npos);

  Fields h = encode(SweepEvent{"SPY", Side::kBuy, 2, 1, 0});
  h.erase(h.begin() + 4);  // ts_ns
  auto r3 = decode_sweep(h);
  ASSERT_FALSE(r3);
  EXPECT_NE(r3.error().message().find("missing field 'ts_ns'"), std::string::npos);

  Fields k = encode(SweepEvent{"spy lower", Side::kBuy, 2, 1, 0});
  EXPECT_FALSE(decode_sweep(k));
}

TEST(Quote, EncodesAndRejectsGarbage) {
  QuoteSnapshot q{451.1, 451.12, 300, 200, 451.11, 1234567890123};
  auto back = decode_quote(encode_quote(q));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->ask, 451.12);
  EXPECT_EQ(back->ts_ns, 1234567890123);
  QuoteSnapshot empty;  // NaNs survive as "nan"
  auto e = decode_quote(encode_quote(empty));
  ASSERT_TRUE(e);
  EXPECT_TRUE(std::isnan(e->bid));
  EXPECT_FALSE(decode_quote("1,2,3"));
  EXPECT_FALSE(decode_quote("1,2,3,4,5,x"));
  EXPECT_FALSE(decode_quote("1,2,3,4,5,6,7"));
}

TEST(Url, ParsesTcpAndUnix) {
  auto t = parse_url("tcp://127.0.0.1:6380");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, Endpoint::Kind::kTcp);
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 6380);
  auto v6 = parse_url("tcp://[::1]:7000");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  auto u = parse_url("unix:/tmp/x/redis.sock");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->kind, Endpoint::Kind::kUnix);
  EXPECT_EQ(u->path, "/tmp/x/redis.sock");
  for (const char* bad : {"127.0.0.1:6379", "tcp://host", "tcp://:1", "tcp://h:0", "tcp://h:70000",
                          "tcp://h:12x", "unix:relative", "redis://h:1"}) {
    auto r = parse_url(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_NE(r.error().message().find(bad), std::string::npos);
    }
  }
}

TEST(Password, FromEnvOrFileNeverInErrors) {
  ConnectionConfig cfg;
  EXPECT_EQ(*resolve_password(cfg), "");
  ::setenv("HARRIER_BUS_TEST_PW", "s3cret", 1);
  cfg.password_env = "HARRIER_BUS_TEST_PW";
  EXPECT_EQ(*resolve_password(cfg), "s3cret");
  cfg.password_env = "HARRIER_BUS_TEST_PW_UNSET";
  auto missing = resolve_password(cfg);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("HARRIER_BUS_TEST_PW_UNSET"), std::string::npos);
  cfg.password_env.clear();
  std::string path = ::testing::TempDir() + "/harrier_pw.txt";
  std::ofstream(path) << "filepw\n";
  cfg.password_file = path;
  EXPECT_EQ(*resolve_password(cfg), "filepw");
  cfg.password_env = "HARRIER_BUS_TEST_PW";
  auto both = resolve_password(cfg);
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().message().find("s3cret"), std::string::npos);
}

TEST(CommandBatch, DescribesCommandAndKeyOnly) {
  CommandBatch b;
  std::string payload(1000, '\x01');
  b.add({"SET", "bars:SPY:1s", payload});
  b.add({"AUTH", "user", "hunter2"});
  b.begin();
  b.arg("PING");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.argc(0), 3u);
  EXPECT_EQ(b.argc(2), 1u);
  EXPECT_EQ(b.describe(0), "SET bars:SPY:1s");
  EXPECT_EQ(b.describe(1), "AUTH");
  EXPECT_EQ(b.describe(2), "PING");
  std::string_view odd[] = {"GET", std::string_view("k\x02y", 3)};
  EXPECT_EQ(describe_command(odd), "GET k\\x02y");
  std::string_view group[] = {"XGROUP", "CREATE", "stream:sweep", "execute", "0"};
  EXPECT_EQ(describe_command(group), "XGROUP CREATE stream:sweep");
  std::string_view eval[] = {"EVAL", "return 1 -- long script", "1", "order:7", "a", "b"};
  EXPECT_EQ(describe_command(eval), "EVAL order:7");
  std::string_view read[] = {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "stream:new_bar", ">"};
  EXPECT_EQ(describe_command(read), "XREADGROUP stream:new_bar");
  std::string_view hello[] = {"HELLO", "3", "AUTH", "u", "pw"};
  EXPECT_EQ(describe_command(hello), "HELLO");
}

TEST(Connection, BackoffGatesReconnectsOnTheInjectedClock) {
  // Nothing listens on this unix path, so every attempt fails at once; the ManualClock decides
  // when the next attempt is allowed.
  ConnectionConfig cfg;
  cfg.url = "unix:/nonexistent-harrier-dir/redis.sock";
  cfg.backoff = BackoffPolicy{.initial_ns = 100 * kNsPerMs, .max_ns = kNsPerSec, .jitter = 0.0};
  ManualClock clock(1'000'000'000);
  Connection c(cfg, clock);
  auto first = c.command({"PING"});
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(c.stats().connect_failures, 1u);
  EXPECT_EQ(c.retry_in_ns(), 100 * kNsPerMs);
  auto gated = c.command({"PING"});
  ASSERT_FALSE(gated);
  EXPECT_EQ(gated.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(gated.error().message().find("next reconnect attempt in 100 ms"), std::string::npos)
      << gated.error().message();
  EXPECT_EQ(c.stats().connect_failures, 1u);  // no attempt was made
  clock.advance(100 * kNsPerMs);
  EXPECT_FALSE(c.command({"PING"}));
  EXPECT_EQ(c.stats().connect_failures, 2u);
  EXPECT_EQ(c.retry_in_ns(), 200 * kNsPerMs);  // doubled
}

}  // namespace
}  // namespace harrier::bus
