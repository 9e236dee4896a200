#include "feed/replay_feed.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "feed/lean_conditions.h"
#include "feed/test_util.h"

namespace harrier::feed {
namespace {

using testing::drain;
using testing::fixture;
using testing::open_or_die;
using testing::options_for;
using testing::TempDir;

constexpr TimestampNs kT0 = 1709562600000000000;  // 2024-03-04T14:30:00Z, canonical_small.csv

bool same_tick(const Tick& a, const Tick& b) {
  auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
  return a.ts_ns == b.ts_ns && a.symbol == b.symbol && a.flags == b.flags && a.kind == b.kind &&
         same(a.price, b.price) && a.size == b.size && same(a.bid, b.bid) && same(a.ask, b.ask) &&
         a.bid_size == b.bid_size && a.ask_size == b.ask_size && a.venue == b.venue;
}

void expect_same_ticks(const std::vector<Tick>& a, const std::vector<Tick>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(same_tick(a[i], b[i])) << "tick " << i;
  }
}

// ---------------------------------------------------------------- formats and compression

TEST(ReplayFeed, CanonicalFileGivesItsTicks) {
  auto feed = open_or_die(options_for({{fixture("canonical_small.csv"), ""}}));
  ASSERT_TRUE(feed);
  EXPECT_EQ(feed->source_format(0), Format::kCanonical);
  auto d = drain(*feed);
  ASSERT_FALSE(d.error);
  ASSERT_EQ(d.ticks.size(), 8u);
  const SymbolTable& syms = feed->symbols();
  EXPECT_EQ(syms.size(), 2u);
  const Tick& q = d.ticks[0];
  EXPECT_EQ(syms.name(q.symbol), "SPY");
  EXPECT_EQ(q.kind, TickKind::kQuote);
  EXPECT_EQ(q.bid, 512.00);
  EXPECT_EQ(q.ask_size, 200);
  EXPECT_EQ(q.venue, 'Q');
  const Tick& t = d.ticks[3];
  EXPECT_EQ(syms.name(t.symbol), "QQQ");
  EXPECT_EQ(t.kind, TickKind::kTrade);
  EXPECT_EQ(t.price, 445.01);
  EXPECT_EQ(t.size, 37);
  EXPECT_EQ(t.ts_ns, kT0 + 3'000'000);
  const Tick& half = d.ticks[7];  // ask side absent
  EXPECT_EQ(half.bid, 511.99);
  EXPECT_TRUE(std::isnan(half.ask));
  EXPECT_EQ(half.ask_size, 0);
  EXPECT_EQ(feed->stats().lines, 8u);
  EXPECT_EQ(feed->stats().ticks, 8u);
  EXPECT_EQ(feed->stats().rejected_total(), 0u);
}

TEST(ReplayFeed, ZstdAndPlainGiveIdenticalTicks) {
  auto plain = open_or_die(options_for({{fixture("canonical_small.csv"), ""}}));
  auto packed = open_or_die(options_for({{fixture("canonical_small.csv.zst"), ""}}));
  ASSERT_TRUE(plain && packed);
  auto a = drain(*plain);
  auto b = drain(*packed);
  ASSERT_FALSE(a.error || b.error);
  expect_same_ticks(a.ticks, b.ticks);
  EXPECT_EQ(a.ticks.size(), 8u);
}

TEST(ReplayFeed, RealZstdAndItsPlainCopyGiveIdenticalTicks) {
  // The plain copy is made with libzstd's one-shot API, independent of the streaming reader.
  std::string plain = testing::zstd_decompress_file(testing::kIbmQuotes);
  ASSERT_GT(plain.size(), 1000u);
  TempDir dir;
  std::string copy = dir.write("ibm_20131007_quotes.csv", plain);
  auto a = open_or_die(options_for({{testing::kIbmQuotes, ""}}));
  auto b = open_or_die(options_for({{copy, ""}}));
  ASSERT_TRUE(a && b);
  auto da = drain(*a);
  auto db = drain(*b);
  ASSERT_FALSE(da.error || db.error);
  EXPECT_GT(da.ticks.size(), 100000u);
  expect_same_ticks(da.ticks, db.ticks);
}

TEST(ReplayFeed, LeanTradesTakeTheSymbolFromTheFileName) {
  auto feed = open_or_die(options_for({{fixture("tsla_20131007_trades.csv"), ""}}));
  ASSERT_TRUE(feed);
  EXPECT_EQ(feed->source_format(0), Format::kLeanTrades);
  auto d = drain(*feed);
  ASSERT_FALSE(d.error);
  ASSERT_EQ(d.ticks.size(), 4u);
  EXPECT_EQ(feed->symbols().name(d.ticks[0].symbol), "TSLA");
  EXPECT_EQ(d.ticks[0].flags, kTradeFlagExtendedHours);
  EXPECT_EQ(d.ticks[1].flags, kTradeFlagOddLot | kTradeFlagSuspicious);
  EXPECT_EQ(d.ticks[2].flags, kTradeFlagExtendedHours | kTradeFlagOutOfSequence);
  EXPECT_EQ(d.ticks[3].flags, kTradeFlagOpenClose);
  EXPECT_EQ(d.ticks[3].venue, 'N');
}

TEST(ReplayFeed, ConfiguredSymbolWinsOverTheFileName) {
  auto feed = open_or_die(options_for({{fixture("tsla_20131007_trades.csv"), "ABC"}}));
  ASSERT_TRUE(feed);
  auto d = drain(*feed);
  ASSERT_EQ(d.ticks.size(), 4u);
  EXPECT_EQ(feed->symbols().name(d.ticks[0].symbol), "ABC");
  EXPECT_EQ(feed->symbols().find("TSLA"), kNoSymbol);
}

TEST(ReplayFeed, LeanQuotesHaveANaNSide) {
  auto feed = open_or_die(options_for({{fixture("xyz_20131007_quotes.csv"), ""}}));
  ASSERT_TRUE(feed);
  EXPECT_EQ(feed->source_format(0), Format::kLeanQuotes);
  auto d = drain(*feed);
  ASSERT_EQ(d.ticks.size(), 3u);
  EXPECT_EQ(feed->symbols().name(d.ticks[0].symbol), "XYZ");
  EXPECT_TRUE(std::isnan(d.ticks[0].bid));
  EXPECT_EQ(d.ticks[0].ask, 183.63);
  EXPECT_EQ(d.ticks[1].bid, 180.01);
  EXPECT_TRUE(std::isnan(d.ticks[1].ask));
  EXPECT_EQ(d.ticks[2].flags, kTradeFlagSuspicious);
}

// ---------------------------------------------------------------- open errors

TEST(ReplayFeed, UnknownHeaderIsAnErrorNamingTheFile) {
  TempDir dir;
  std::string p = dir.write("weird.csv", "time,px,qty\n1,2,3\n");
  auto r = ReplayFeed::open(options_for({{p, ""}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(r.error().message().find(p + ":1: unknown header"), std::string::npos)
      << r.error().message();
}

TEST(ReplayFeed, OpenErrorsNameTheProblem) {
  TempDir dir;
  std::string empty = dir.write("spy_empty.csv", "");
  std::string nosym =
      dir.write("trades.csv", "ts_ns,price,size,exchange,condition_hex,suspicious\n");
  struct Case {
    ReplayOptions opts;
    std::string needle;
  };
  std::vector<Case> cases;
  cases.push_back({options_for({}), "no source"});
  cases.push_back({options_for({{dir.path() + "/missing.csv", ""}}), "missing.csv"});
  cases.push_back({options_for({{empty, ""}}), "empty file"});
  cases.push_back({options_for({{nosym, ""}}), "no symbol column"});
  cases.push_back({options_for({{fixture("canonical_small.csv"), "SPY"}}), "has a symbol column"});
  cases.push_back(
      {options_for({{fixture("tsla_20131007_trades.csv"), "bad sym"}}), "bad character"});
  ReplayOptions bounds = options_for({{fixture("canonical_small.csv"), ""}});
  bounds.from_ns = 10;
  bounds.to_ns = 10;
  cases.push_back({bounds, "is not before"});
  ReplayOptions filter = options_for({{fixture("canonical_small.csv"), ""}});
  filter.symbols = {"spy"};
  cases.push_back({filter, "symbol filter"});
  for (const Case& c : cases) {
    auto r = ReplayFeed::open(c.opts);
    ASSERT_FALSE(r) << c.needle;
    EXPECT_NE(r.error().message().find(c.needle), std::string::npos) << r.error().message();
  }
}

// ---------------------------------------------------------------- bad input

TEST(ReplayFeed, EveryBadLineIsCountedNamedAndSkipped) {
  const std::string path = fixture("bad_lines.csv");
  auto feed = open_or_die(options_for({{path, ""}}));
  ASSERT_TRUE(feed);
  // Pull tick by tick: after each one, the latest rejection names this file and its line.
  std::vector<Tick> ticks;
  std::vector<std::string> rejects_seen;
  Tick t;
  while (true) {
    auto r = feed->next(t);
    ASSERT_TRUE(r) << r.error().to_string();
    if (!*r) break;
    ticks.push_back(t);
    rejects_seen.push_back(feed->stats().last_reject);
  }
  // Tick 2 (line 13) comes after the rejections of lines 3..12; line 12 was the last.
  ASSERT_GE(rejects_seen.size(), 2u);
  EXPECT_EQ(rejects_seen[1].rfind(path + ":12: time backwards", 0), 0u) << rejects_seen[1];
  const FeedStats& s = feed->stats();
  EXPECT_EQ(s.lines, 15u);
  EXPECT_EQ(s.rejected_for(RejectReason::kMalformed), 4u);
  EXPECT_EQ(s.rejected_for(RejectReason::kBadPrice), 4u);
  EXPECT_EQ(s.rejected_for(RejectReason::kNegativeSize), 1u);
  EXPECT_EQ(s.rejected_for(RejectReason::kCrossedQuote), 1u);
  EXPECT_EQ(s.rejected_for(RejectReason::kTimeBackwards), 1u);
  EXPECT_EQ(s.rejected_total(), 11u);
  EXPECT_EQ(s.ticks, 4u);
  ASSERT_EQ(ticks.size(), 4u);
  // Line 13 is half a second back: within the 1 s tolerance, it passes through.
  EXPECT_EQ(ticks[1].ts_ns, 1709562599509000000);
  EXPECT_EQ(s.last_reject, path + ":15: malformed: bad symbol 'spy'");
  for (const Tick& good : ticks) {
    EXPECT_FALSE(validate_tick(good).has_value());
  }
}

TEST(ReplayFeed, StrictModeStopsAtEachBadLineWithFileAndLine) {
  // Each bad line of bad_lines.csv, alone after a good line, must be the strict error.
  const std::string all = testing::read_all(fixture("bad_lines.csv"));
  std::vector<std::string> lines;
  std::istringstream in(all);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 16u);
  struct Expect {
    std::size_t line;  // 1-based in bad_lines.csv
    RejectReason reason;
  };
  const Expect cases[] = {{3, RejectReason::kMalformed},     {4, RejectReason::kMalformed},
                          {5, RejectReason::kMalformed},     {6, RejectReason::kBadPrice},
                          {7, RejectReason::kBadPrice},      {8, RejectReason::kBadPrice},
                          {9, RejectReason::kBadPrice},      {10, RejectReason::kNegativeSize},
                          {11, RejectReason::kCrossedQuote}, {12, RejectReason::kTimeBackwards},
                          {15, RejectReason::kMalformed}};
  TempDir dir;
  for (const Expect& e : cases) {
    std::string p = dir.write("strict.csv", lines[0] + "\n" + lines[1] + "\n" + lines[e.line - 1] +
                                                "\n" + lines[1] + "\n");
    ReplayOptions o = options_for({{p, ""}});
    o.strict = true;
    auto feed = open_or_die(o);
    ASSERT_TRUE(feed);
    auto d = drain(*feed);
    ASSERT_TRUE(d.error) << "line " << e.line;
    EXPECT_EQ(d.ticks.size(), 1u);
    EXPECT_EQ(d.error->code(), ErrorCode::kInvalidInput);
    std::string want = p + ":3: " + std::string(reject_reason_name(e.reason));
    EXPECT_EQ(d.error->message().rfind(want, 0), 0u) << d.error->message();
    EXPECT_EQ(feed->stats().rejected_for(e.reason), 1u);
    // The error is sticky: the feed does not resume after it.
    Tick t;
    EXPECT_FALSE(feed->next(t));
  }
}

TEST(ReplayFeed, StrictModeOnTheFixtureFailsAtLineThree) {
  ReplayOptions o = options_for({{fixture("bad_lines.csv"), ""}});
  o.strict = true;
  auto feed = open_or_die(o);
  ASSERT_TRUE(feed);
  auto d = drain(*feed);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.ticks.size(), 1u);
  EXPECT_NE(d.error->message().find("bad_lines.csv:3: malformed: wrong field count"),
            std::string::npos)
      << d.error->message();
}

TEST(ReplayFeed, BackwardsToleranceDecidesWhatPasses) {
  struct Case {
    DurationNs tolerance;
    std::uint64_t ticks;
    std::uint64_t backwards;
  };
  // Line 12 is 2 s behind the latest, line 13 0.491 s.
  for (Case c : {Case{0, 3, 2}, Case{kNsPerSec, 4, 1}, Case{3 * kNsPerSec, 5, 0}}) {
    ReplayOptions o = options_for({{fixture("bad_lines.csv"), ""}});
    o.backwards_tolerance_ns = c.tolerance;
    auto feed = open_or_die(o);
    ASSERT_TRUE(feed);
    auto d = drain(*feed);
    ASSERT_FALSE(d.error);
    EXPECT_EQ(d.ticks.size(), c.ticks) << c.tolerance;
    EXPECT_EQ(feed->stats().rejected_for(RejectReason::kTimeBackwards), c.backwards);
  }
}

TEST(ReplayFeed, HostileBytesNeverCrashAndNeverLeakBadTicks) {
  std::string junk = std::string(format_header(Format::kCanonical)) + "\n";
  for (int i = 0; i < 2000; ++i) {
    // Deterministic garbage: commas, digits, NULs, high bytes, very long fields.
    unsigned x = static_cast<unsigned>(i) * 2654435761u;
    junk += std::to_string(x);
    junk += (x & 1) ? ",SPY,trade," : ",\xff\x00,quote,";
    junk += std::string((x >> 8) % 40, static_cast<char>('0' + (x % 10)));
    junk += ",1,,,,,XNAS";
    if (x % 7 == 0) junk += std::string(5000, ',');
    junk += (x % 3 == 0) ? "\r\n" : "\n";
  }
  TempDir dir;
  ReplayOptions o = options_for({{dir.write("junk.csv", junk), ""}});
  o.buffer_bytes = 4096;  // the 5000-comma lines are too long
  auto feed = open_or_die(o);
  ASSERT_TRUE(feed);
  auto d = drain(*feed);
  ASSERT_FALSE(d.error);
  for (const Tick& t : d.ticks) EXPECT_FALSE(validate_tick(t).has_value());
  EXPECT_EQ(feed->stats().lines, 2000u);
  EXPECT_EQ(feed->stats().rejected_total() + feed->stats().ticks, 2000u);
  EXPECT_GT(feed->stats().rejected_for(RejectReason::kMalformed), 0u);
}

TEST(ReplayFeed, TruncatedZstdIsAnErrorAfterTheTicksBeforeIt) {
  std::string packed = testing::read_all(testing::kSpyTrades);
  TempDir dir;
  std::string p = dir.write("spy_cut.csv.zst", packed.substr(0, packed.size() / 3));
  auto feed = open_or_die(options_for({{p, ""}}));
  ASSERT_TRUE(feed);
  auto d = drain(*feed);
  ASSERT_TRUE(d.error);
  EXPECT_GT(d.ticks.size(), 1000u);
  EXPECT_LT(d.ticks.size(), 250601u);
  EXPECT_NE(d.error->message().find("truncated"), std::string::npos) << d.error->message();
  EXPECT_NE(d.error->message().find("spy_cut.csv.zst"), std::string::npos);
}

// ---------------------------------------------------------------- filters

TEST(ReplayFeed, SymbolFilterKeepsOnlyTheNamedSymbols) {
  ReplayOptions o = options_for({{fixture("canonical_small.csv"), ""}});
  o.symbols = {"QQQ"};
  auto feed = open_or_die(o);
  ASSERT_TRUE(feed);
  auto d = drain(*feed);
  ASSERT_EQ(d.ticks.size(), 3u);
  for (const Tick& t : d.ticks) EXPECT_EQ(feed->symbols().name(t.symbol), "QQQ");
  EXPECT_EQ(feed->symbols().find("SPY"), kNoSymbol);  // never interned
  EXPECT_EQ(feed->stats().filtered, 5u);
}

TEST(ReplayFeed, SymbolFilterSkipsWholeLeanFiles) {
  ReplayOptions o =
      options_for({{testing::kIbmTrades, ""}, {fixture("tsla_20131007_trades.csv"), ""}});
  o.symbols = {"TSLA"};
  auto feed = open_or_die(o);
  ASSERT_TRUE(feed);
  auto d = drain(*feed);
  EXPECT_EQ(d.ticks.size(), 4u);
  EXPECT_EQ(feed->stats().lines, 4u);  // the IBM file was not read
}

TEST(ReplayFeed, FromIsInclusiveAndToExclusive) {
  ReplayOptions o = options_for({{fixture("canonical_small.csv"), ""}});
  o.from_ns = kT0 + 1'000'000;  // the SPY trade at +1 ms is in
  o.to_ns = kT0 + 4'000'000;    // the two rows at +4 ms are out
  auto feed = open_or_die(o);
  ASSERT_TRUE(feed);
  auto d = drain(*feed);
  ASSERT_EQ(d.ticks.size(), 3u);
  EXPECT_EQ(d.ticks.front().ts_ns, kT0 + 1'000'000);
  EXPECT_EQ(d.ticks.back().ts_ns, kT0 + 3'000'000);
  EXPECT_GE(feed->stats().filtered, 1u);
}

TEST(ReplayFeed, TimeWindowOnTheRealDayMatchesTheReferenceCount) {
  // /work/shared/data/README.md: 15,057 SPY prints in the 10 minutes after the 09:30 ET open.
  ReplayOptions o = options_for({{testing::kSpyTrades, ""}});
  o.from_ns = 1381152600LL * kNsPerSec;        // 2013-10-07T13:30:00Z
  o.to_ns = (1381152600LL + 600) * kNsPerSec;  // 13:40:00Z
  auto feed = open_or_die(o);
  ASSERT_TRUE(feed);
  auto d = drain(*feed);
  ASSERT_FALSE(d.error);
  EXPECT_EQ(d.ticks.size(), 15057u);
  for (const Tick& t : d.ticks) {
    ASSERT_GE(t.ts_ns, *o.from_ns);
    ASSERT_LT(t.ts_ns, *o.to_ns);
  }
  // Reading stops once nothing more can pass: the after-hours tail is never read.
  EXPECT_LT(feed->stats().lines, 250601u);
}

// ---------------------------------------------------------------- real data

// Counts rows of the decompressed SPY file whose condition_hex has any of `bits`, with a
// plain istringstream parse: an oracle independent of the feed's decoder.
std::uint64_t count_condition(const std::string& csv, std::uint32_t bits) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  std::uint64_t n = 0;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string field;
    for (int i = 0; i < 5; ++i) std::getline(row, field, ',');
    if ((std::stoul(field, nullptr, 16) & bits) != 0) ++n;
  }
  return n;
}

TEST(ReplayFeed, WholeSpyDayStreamsWithoutRejection) {
  auto feed = open_or_die(options_for({{testing::kSpyTrades, ""}}));
  ASSERT_TRUE(feed);
  EXPECT_EQ(feed->source_format(0), Format::kLeanTrades);
  Tick t;
  std::uint64_t n = 0, ext = 0, odd = 0, avg = 0, iso = 0;
  TimestampNs prev = 0;
  Tick first;
  while (true) {
    auto r = feed->next(t);
    ASSERT_TRUE(r) << r.error().to_string();
    if (!*r) break;
    if (n == 0) first = t;
    ASSERT_GE(t.ts_ns, prev);
    prev = t.ts_ns;
    ext += (t.flags & kTradeFlagExtendedHours) != 0;
    odd += (t.flags & kTradeFlagOddLot) != 0;
    avg += (t.flags & kTradeFlagAveragePrice) != 0;
    iso += (t.flags & kTradeFlagIntermarketSweep) != 0;
    ++n;
  }
  EXPECT_EQ(n, 250601u);
  EXPECT_EQ(feed->stats().lines, 250601u);
  EXPECT_EQ(feed->stats().ticks, 250601u);
  EXPECT_EQ(feed->stats().rejected_total(), 0u);
  EXPECT_EQ(feed->symbols().name(first.symbol), "SPY");
  // First row: 1381132800464000000,167.41,100,P,20002000,0
  EXPECT_EQ(first.ts_ns, 1381132800464000000);
  EXPECT_EQ(first.price, 167.41);
  EXPECT_EQ(first.size, 100);
  EXPECT_EQ(first.venue, 'P');
  EXPECT_EQ(first.flags, kTradeFlagExtendedHours);

  std::string csv = testing::zstd_decompress_file(testing::kSpyTrades);
  ASSERT_FALSE(csv.empty());
  EXPECT_EQ(ext, count_condition(csv, lean::kExtendedHours | lean::kFormT | lean::kOutOfSequence));
  EXPECT_EQ(odd, count_condition(csv, lean::kOddLot));
  EXPECT_EQ(avg, count_condition(csv, lean::kAveragePrice | lean::kDerivativelyPriced));
  EXPECT_EQ(iso, count_condition(csv, lean::kIntermarketSweep));
  EXPECT_GT(ext, 0u);
  EXPECT_GT(iso, 0u);
}

TEST(ReplayFeed, IbmTradesAndQuotesMergeInTimeOrder) {
  auto feed = open_or_die(options_for({{testing::kIbmTrades, ""}, {testing::kIbmQuotes, ""}}));
  ASSERT_TRUE(feed);
  EXPECT_EQ(feed->source_format(0), Format::kLeanTrades);
  EXPECT_EQ(feed->source_format(1), Format::kLeanQuotes);
  auto d = drain(*feed);
  ASSERT_FALSE(d.error) << d.error->to_string();
  std::uint64_t trades = 0, quotes = 0;
  for (std::size_t i = 0; i < d.ticks.size(); ++i) {
    const Tick& t = d.ticks[i];
    if (i > 0) {
      ASSERT_LE(d.ticks[i - 1].ts_ns, t.ts_ns) << "tick " << i;
    }
    (t.kind == TickKind::kTrade ? trades : quotes)++;
    EXPECT_EQ(t.symbol, d.ticks[0].symbol);
  }
  EXPECT_EQ(feed->symbols().size(), 1u);
  EXPECT_EQ(feed->symbols().name(0), "IBM");
  EXPECT_EQ(trades, 24293u);
  EXPECT_EQ(quotes, 109067u);
  EXPECT_EQ(feed->stats().rejected_total(), 0u);
  // The two streams really interleave (not one file then the other).
  std::uint64_t switches = 0;
  for (std::size_t i = 1; i < d.ticks.size(); ++i) {
    switches += d.ticks[i].kind != d.ticks[i - 1].kind;
  }
  EXPECT_GT(switches, 1000u);
}

TEST(ReplayFeed, EqualTimestampsKeepSourceOrder) {
  TempDir dir;
  std::string h(format_header(Format::kLeanTrades));
  std::string a = dir.write("aaa_1.csv", h + "\n100,1.0,1,Q,0,0\n200,1.0,2,Q,0,0\n");
  std::string b = dir.write("bbb_1.csv", h + "\n100,2.0,1,Q,0,0\n150,2.0,2,Q,0,0\n");
  auto feed = open_or_die(options_for({{b, ""}, {a, ""}}));
  ASSERT_TRUE(feed);
  auto d = drain(*feed);
  ASSERT_EQ(d.ticks.size(), 4u);
  const SymbolTable& s = feed->symbols();
  EXPECT_EQ(s.name(d.ticks[0].symbol), "BBB");  // source 0 first on a tie
  EXPECT_EQ(s.name(d.ticks[1].symbol), "AAA");
  EXPECT_EQ(d.ticks[2].ts_ns, 150);
  EXPECT_EQ(d.ticks[3].ts_ns, 200);
}

}  // namespace
}  // namespace harrier::feed

namespace harrier::feed {
namespace {

TEST(ParseReplaySource, SymbolPrefixOnlyBeforeThePath) {
  ReplaySource a = parse_replay_source("SPY=tests/data/q.csv.zst");
  EXPECT_EQ(a.symbol, "SPY");
  EXPECT_EQ(a.path, "tests/data/q.csv.zst");
  ReplaySource b = parse_replay_source("/data/a=b.csv");
  EXPECT_EQ(b.symbol, "");
  EXPECT_EQ(b.path, "/data/a=b.csv");
  ReplaySource c = parse_replay_source("=x.csv");
  EXPECT_EQ(c.symbol, "");
  EXPECT_EQ(c.path, "=x.csv");
}

}  // namespace
}  // namespace harrier::feed
