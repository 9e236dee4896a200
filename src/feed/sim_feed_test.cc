#include "feed/sim_feed.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "feed/pacer.h"
#include "feed/replay_format.h"
#include "feed/test_util.h"
#include "feed/time_spec.h"

namespace harrier::feed {
namespace {

using testing::drain;
using testing::open_or_die;
using testing::options_for;
using testing::TempDir;

constexpr TimestampNs kOpen = 1709562600000000000;  // 2024-03-04T09:30:00-05:00

// Bit for bit: doubles compared by their representation, NaNs included.
bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}
bool same_tick(const Tick& a, const Tick& b, bool with_flags = true) {
  return a.ts_ns == b.ts_ns && a.symbol == b.symbol && (!with_flags || a.flags == b.flags) &&
         a.kind == b.kind && same_bits(a.price, b.price) && a.size == b.size &&
         same_bits(a.bid, b.bid) && same_bits(a.ask, b.ask) && a.bid_size == b.bid_size &&
         a.ask_size == b.ask_size && a.venue == b.venue;
}

std::unique_ptr<SimFeed> open_sim(const SimOptions& o) {
  auto r = SimFeed::open(o);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
  return r ? std::move(r).value() : nullptr;
}

std::vector<Tick> take(SimFeed& feed, std::size_t n) {
  std::vector<Tick> out;
  out.reserve(std::min<std::size_t>(n, 1 << 20));
  Tick t;
  while (out.size() < n) {
    auto r = feed.next(t);
    EXPECT_TRUE(r.has_value());
    if (!r || !*r) break;
    out.push_back(t);
  }
  return out;
}

std::vector<Tick> all_ticks(const SimOptions& o) {
  auto feed = open_sim(o);
  if (!feed) return {};
  return take(*feed, std::size_t{1} << 40);
}

// |observed - expected| within `sigmas` standard deviations of a binomial(n, p) count.
void expect_share(std::uint64_t count, std::uint64_t n, double p, const char* what,
                  double sigmas = 5) {
  const double expected = static_cast<double>(n) * p;
  const double sd = std::sqrt(static_cast<double>(n) * p * (1 - p));
  EXPECT_NEAR(static_cast<double>(count), expected, sigmas * sd + 1)
      << what << ": " << count << " of " << n << ", expected share " << p;
}

// ---------------------------------------------------------------- options and naming

TEST(SimFeed, SymbolsAreSpyQqqThenNumbered) {
  EXPECT_EQ(sim_symbol_name(0), "SPY");
  EXPECT_EQ(sim_symbol_name(1), "QQQ");
  EXPECT_EQ(sim_symbol_name(2), "SYM003");
  EXPECT_EQ(sim_symbol_name(9), "SYM010");
  EXPECT_EQ(sim_symbol_name(999), "SYM1000");
  SimOptions o;
  o.symbols = 12;
  auto feed = open_sim(o);
  ASSERT_TRUE(feed);
  ASSERT_EQ(feed->symbols().size(), 12u);
  for (std::uint32_t i = 0; i < 12; ++i) {
    EXPECT_EQ(feed->symbols().name(i), sim_symbol_name(i));
    EXPECT_TRUE(SymbolTable::validate(sim_symbol_name(i)));
  }
}

TEST(SimFeed, BadOptionsAreErrorsNamingTheField) {
  struct Case {
    const char* field;
    void (*apply)(SimOptions&);
  };
  const Case cases[] = {
      {"symbols", [](SimOptions& o) { o.symbols = 0; }},
      {"symbols", [](SimOptions& o) { o.symbols = kMaxSimSymbols + 1; }},
      {"rate", [](SimOptions& o) { o.rate = 0; }},
      {"rate", [](SimOptions& o) { o.rate = std::nan(""); }},
      {"trade_frac", [](SimOptions& o) { o.trade_frac = 1.5; }},
      {"trade_frac", [](SimOptions& o) { o.trade_frac = -0.1; }},
      {"skew", [](SimOptions& o) { o.skew = -1; }},
      {"skew", [](SimOptions& o) { o.skew = INFINITY; }},
      {"seconds", [](SimOptions& o) { o.seconds = -1; }},
      {"seconds", [](SimOptions& o) { o.seconds = 1e12; }},  // past the int64 ns range
      {"start_ns", [](SimOptions& o) { o.start_ns = -5; }},
      {"open_burst", [](SimOptions& o) { o.open_burst = true, o.seconds = 0; }},
  };
  for (const Case& c : cases) {
    SimOptions o;
    c.apply(o);
    auto r = SimFeed::open(o);
    ASSERT_FALSE(r) << c.field;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(r.error().message().find(std::string("sim option ") + c.field + ":"),
              std::string::npos)
        << r.error().message();
  }
  EXPECT_TRUE(validate_sim_options(SimOptions{}));
}

TEST(SimFeed, StartingPrices) {
  SimOptions o;
  o.symbols = 200;
  o.trade_frac = 0;  // quotes only: the first quote of each symbol shows its start
  o.rate = 1e5;
  o.seconds = 1;  // about 500 events per symbol
  auto ticks = all_ticks(o);
  std::map<SymbolId, Tick> first;
  for (const Tick& t : ticks) first.emplace(t.symbol, t);
  ASSERT_EQ(first.size(), 200u);
  // SPY and QQQ start with the ask at 512.00 / 445.00, one tick wide; a first event may
  // already have moved the quote by one tick.
  EXPECT_NEAR(first[0].ask, 512.00, 0.031);
  EXPECT_NEAR(first[1].ask, 445.00, 0.031);
  double lo = 1e9, hi = 0;
  for (const auto& [sym, t] : first) {
    if (sym < 2) continue;
    lo = std::min(lo, t.bid);
    hi = std::max(hi, t.ask);
  }
  EXPECT_GE(lo, 19.98);
  EXPECT_LE(hi, 400.03);
  EXPECT_LT(lo, 40.0);  // 198 draws from [20, 400) spread over the range
  EXPECT_GT(hi, 380.0);
}

// ---------------------------------------------------------------- determinism

TEST(SimFeed, SameSeedSameTicksBitForBit) {
  SimOptions o;
  o.symbols = 7;
  o.rate = 25'000;
  o.seconds = 4;
  o.open_burst = true;
  o.skew = 0.8;
  o.seed = 42;
  o.start_ns = kOpen;
  auto a = all_ticks(o);
  auto b = all_ticks(o);
  ASSERT_GT(a.size(), 100'000u);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_TRUE(same_tick(a[i], b[i])) << "tick " << i;

  o.seed = 43;
  auto c = all_ticks(o);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < std::min(a.size(), c.size()); ++i) differ += !same_tick(a[i], c[i]);
  EXPECT_GT(differ, a.size() * 99 / 100);
}

// ---------------------------------------------------------------- the model's statistics

TEST(SimFeed, StatisticsOverAMillionEvents) {
  SimOptions o;
  o.symbols = 10;
  o.rate = 20'000;
  o.seconds = 50;  // expected 1e6 events
  o.seed = 1;
  o.start_ns = kOpen;
  auto feed = open_sim(o);
  ASSERT_TRUE(feed);

  std::uint64_t n = 0, trades = 0, quotes = 0, odd = 0, at_bid = 0, at_ask = 0, inside = 0;
  std::uint64_t trades_with_quote = 0;
  std::array<std::uint64_t, 4> spread_ticks{};
  std::array<std::uint64_t, 256> venues{};
  std::vector<Tick> last_quote(o.symbols);
  std::vector<bool> quoted(o.symbols, false);
  TimestampNs prev_ts = kOpen;
  Tick t;
  while (true) {
    auto r = feed->next(t);
    ASSERT_TRUE(r);
    if (!*r) break;
    ++n;
    ASSERT_EQ(validate_tick(t), std::nullopt) << "event " << n;
    ASSERT_GE(t.ts_ns, prev_ts);
    ASSERT_LT(t.ts_ns, kOpen + 50 * kNsPerSec);
    ASSERT_LT(t.symbol, o.symbols);
    prev_ts = t.ts_ns;
    ++venues[static_cast<unsigned char>(t.venue)];
    if (t.kind == TickKind::kQuote) {
      ++quotes;
      ASSERT_LT(t.bid, t.ask);
      ASSERT_EQ(t.flags, 0u);
      const long long cents = std::llround((t.ask - t.bid) * 100);
      ASSERT_GE(cents, 1);
      ASSERT_LE(cents, 3);
      ++spread_ticks[static_cast<std::size_t>(cents)];
      ASSERT_EQ(t.bid_size % 100, 0);
      ASSERT_EQ(t.ask_size % 100, 0);
      ASSERT_GE(std::min(t.bid_size, t.ask_size), 100);
      ASSERT_LE(std::max(t.bid_size, t.ask_size), 5000);
      last_quote[t.symbol] = t;
      quoted[t.symbol] = true;
    } else {
      ++trades;
      ASSERT_GE(t.size, 1);
      ASSERT_LE(t.size, 1000);
      const bool round = t.size % 100 == 0;
      ASSERT_EQ(t.flags, round ? kTradeFlagNone : kTradeFlagOddLot) << t.size;
      odd += !round;
      // Every trade lies within the last quote its symbol showed.
      if (quoted[t.symbol]) {
        ++trades_with_quote;
        const Tick& q = last_quote[t.symbol];
        ASSERT_GE(t.price, q.bid) << "event " << n;
        ASSERT_LE(t.price, q.ask) << "event " << n;
        at_bid += t.price == q.bid;
        at_ask += t.price == q.ask;
        inside += t.price > q.bid && t.price < q.ask;
      }
    }
  }
  EXPECT_EQ(feed->stats().ticks, n);
  // Poisson count: sd = sqrt(1e6) = 1000.
  EXPECT_NEAR(static_cast<double>(n), 1e6, 5000);
  expect_share(trades, n, 0.3, "trades");
  expect_share(odd, trades, 0.4, "odd lots");
  // Spread mix of the quotes shown. Every symbol starts one tick wide until its first move
  // (about 20 of its events), a negligible bias at 100k events per symbol.
  expect_share(spread_ticks[1], quotes, 0.7, "1-tick spreads");
  expect_share(spread_ticks[2], quotes, 0.2, "2-tick spreads");
  expect_share(spread_ticks[3], quotes, 0.1, "3-tick spreads");
  // Trade placement: 40% bid, 40% ask, 20% inside, which on a 1-tick spread (70%) is half
  // bid, half ask.
  ASSERT_GT(trades_with_quote, trades - 100);
  expect_share(at_bid, trades_with_quote, 0.4 + 0.2 * 0.7 * 0.5, "at bid");
  expect_share(at_ask, trades_with_quote, 0.4 + 0.2 * 0.7 * 0.5, "at ask");
  expect_share(inside, trades_with_quote, 0.2 * 0.3, "inside");
  std::uint64_t at_sim_venues = 0;
  for (const sim::Venue& v : sim::kVenues) {
    const std::uint64_t c = venues[static_cast<unsigned char>(v.code)];
    expect_share(c, n, 1.0 / 8, "venue");
    at_sim_venues += c;
  }
  EXPECT_EQ(at_sim_venues, n);
}

TEST(SimFeed, OpenBurstShape) {
  SimOptions o;
  o.rate = 10'000;
  o.seconds = 100;
  o.open_burst = true;
  o.symbols = 3;
  o.start_ns = kOpen;
  // Counts per second of session time over the burst (the first 10 s) and after it.
  std::vector<std::uint64_t> per_s(100, 0);
  auto feed = open_sim(o);
  ASSERT_TRUE(feed);
  Tick t;
  std::uint64_t n = 0;
  for (auto r = feed->next(t); r && *r; r = feed->next(t)) {
    ++per_s[static_cast<std::size_t>((t.ts_ns - kOpen) / kNsPerSec)];
    ++n;
  }
  // Expected 1.2 * R * S = 1.2e6 events (sd about 1100).
  EXPECT_NEAR(static_cast<double>(n), 1.2e6, 6000);
  // The burst's intensity falls linearly from 5R to R: second j holds R (1 + 4 (1 - (j+0.5)/10)).
  std::uint64_t burst = 0;
  for (int j = 0; j < 10; ++j) {
    const double expected = o.rate * (1 + 4 * (1 - (j + 0.5) / 10));
    EXPECT_NEAR(static_cast<double>(per_s[j]), expected, 5 * std::sqrt(expected)) << "second " << j;
    burst += per_s[j];
  }
  // The first 10% holds about 3x its share at the mean rate: 3 R (S / 10) = 3e5.
  EXPECT_NEAR(static_cast<double>(burst), 3e5, 5 * std::sqrt(3e5));
  std::uint64_t after = 0;
  for (int j = 10; j < 100; ++j) after += per_s[j];
  EXPECT_NEAR(static_cast<double>(after), 9e5, 5 * std::sqrt(9e5));
}

TEST(SimFeed, SkewWeightsPickSymbols) {
  SimOptions o;
  o.symbols = 6;
  o.skew = 1.3;
  o.rate = 100'000;
  o.seconds = 2;
  o.seed = 9;
  std::vector<std::uint64_t> count(o.symbols, 0);
  auto ticks = all_ticks(o);
  for (const Tick& t : ticks) ++count[t.symbol];
  double total = 0;
  for (std::uint32_t i = 0; i < o.symbols; ++i) total += 1 / std::pow(i + 1.0, o.skew);
  for (std::uint32_t i = 0; i < o.symbols; ++i) {
    expect_share(count[i], ticks.size(), 1 / std::pow(i + 1.0, o.skew) / total,
                 sim_symbol_name(i).c_str());
  }
  // Skew 0: all equal.
  o.skew = 0;
  count.assign(o.symbols, 0);
  ticks = all_ticks(o);
  for (const Tick& t : ticks) ++count[t.symbol];
  for (std::uint32_t i = 0; i < o.symbols; ++i) {
    expect_share(count[i], ticks.size(), 1.0 / o.symbols, "equal weights");
  }
}

TEST(SimFeed, TradeFractionEdges) {
  SimOptions o;
  o.seconds = 2;
  for (double f : {0.0, 1.0}) {
    o.trade_frac = f;
    auto ticks = all_ticks(o);
    ASSERT_GT(ticks.size(), 3000u);
    for (const Tick& t : ticks) {
      ASSERT_EQ(t.kind, f == 0 ? TickKind::kQuote : TickKind::kTrade);
      ASSERT_EQ(validate_tick(t), std::nullopt);
    }
  }
}

TEST(SimFeed, EndlessSessionKeepsGoing) {
  SimOptions o;
  o.seconds = 0;
  o.rate = 10;  // 10 events/s: 50k events take about 5000 s of simulated time
  auto feed = open_sim(o);
  ASSERT_TRUE(feed);
  auto ticks = take(*feed, 50'000);
  ASSERT_EQ(ticks.size(), 50'000u);
  EXPECT_GT(feed->elapsed_s(), 4000.0);
  EXPECT_GT(ticks.back().ts_ns, 4000 * kNsPerSec);
}

TEST(SimFeed, EndOfSessionIsFinal) {
  SimOptions o;
  o.seconds = 0.01;
  auto feed = open_sim(o);
  ASSERT_TRUE(feed);
  take(*feed, 1'000'000);
  Tick t;
  for (int i = 0; i < 3; ++i) {
    auto r = feed->next(t);
    ASSERT_TRUE(r);
    EXPECT_FALSE(*r);
  }
}

// ---------------------------------------------------------------- live pacing

// Live use: start_ns is "now", and the Pacer is anchored at start_ns before the first tick, so
// each tick is released exactly when the clock reaches its exchange timestamp.
TEST(SimFeed, PacerReleasesEachTickAtItsTimestamp) {
  constexpr TimestampNs kNow = 1'750'000'000 * kNsPerSec;
  ManualClock clock(kNow);
  SimOptions o;
  o.symbols = 2;
  o.rate = 2000;
  o.seconds = 3;
  o.open_burst = true;
  o.start_ns = clock.now_ns();
  auto feed = open_sim(o);
  ASSERT_TRUE(feed);
  Pacer pacer(1);
  EXPECT_EQ(pacer.wait_ns(clock, o.start_ns), 0);  // anchors the session start at now
  Tick t;
  std::uint64_t n = 0;
  for (auto r = feed->next(t); r && *r; r = feed->next(t), ++n) {
    const DurationNs wait = pacer.wait_ns(clock, t.ts_ns);
    ASSERT_EQ(clock.now_ns() + wait, std::max(t.ts_ns, clock.now_ns())) << "tick " << n;
    clock.advance(wait);
    ASSERT_EQ(pacer.wait_ns(clock, t.ts_ns), 0);
    // A late caller (here 100 ms behind every 1000th tick) catches up: overdue ticks are due.
    if (n % 1000 == 999) clock.advance(100 * kNsPerMs);
  }
  EXPECT_GT(n, 6000u);
  EXPECT_GE(clock.now_ns(), kNow + 2 * kNsPerSec);
}

// ---------------------------------------------------------------- canonical CSV

TEST(CanonicalRow, WritesTheReplayFormat) {
  std::string s;
  Tick tr = Tick::trade(0, 1709562600000000123, 512.01, 37, kTradeFlagOddLot);
  tr.venue = 'Q';
  append_canonical_row(s, tr, "SPY");
  Tick q = Tick::quote(0, 1709562600000000124, 0.05, 100, 1000, 5000);
  q.venue = 'M';
  append_canonical_row(s, q, "SYM003");
  Tick half = Tick::quote(0, 5, kNaN, 0, 7.1, 300);  // bid side absent, unknown venue
  append_canonical_row(s, half, "QQQ");
  Tick odd_px = Tick::trade(0, 6, 1.23456, 1);  // not a whole cent: shortest round trip
  odd_px.venue = 'D';
  append_canonical_row(s, odd_px, "QQQ");
  EXPECT_EQ(s,
            "1709562600000000123,SPY,trade,512.01,37,,,,,XNAS\n"
            "1709562600000000124,SYM003,quote,,,0.05,100,1000.00,5000,XCHI\n"
            "5,QQQ,quote,,,,,7.10,300,\n"
            "6,QQQ,trade,1.23456,1,,,,,D\n");
}

TEST(CanonicalRow, SimVenuesMapBackToTheirCodes) {
  for (const sim::Venue& v : sim::kVenues) {
    EXPECT_EQ(venue_code(v.mic), v.code) << v.mic;
    EXPECT_EQ(venue_mic(v.code), v.mic);
  }
  EXPECT_EQ(venue_mic('D'), "D");
  EXPECT_EQ(venue_mic(0), "");
}

// Replays `csv` with the strict replay feed and checks it gives `sim` back: every field bit
// for bit, except that the canonical format carries no trade flags (odd lots read back 0).
void expect_replays_to(const std::string& path, const std::vector<Tick>& sim,
                       const SymbolTable& sim_symbols) {
  ReplayOptions ro = options_for({{path, ""}});
  ro.strict = true;
  auto replay = open_or_die(ro);
  ASSERT_TRUE(replay);
  auto d = drain(*replay);
  ASSERT_FALSE(d.error) << d.error->to_string();
  ASSERT_EQ(d.ticks.size(), sim.size());
  EXPECT_EQ(replay->stats().rejected_total(), 0u);
  std::uint64_t odd = 0;
  for (std::size_t i = 0; i < sim.size(); ++i) {
    Tick back = d.ticks[i];
    ASSERT_EQ(replay->symbols().name(back.symbol), sim_symbols.name(sim[i].symbol)) << i;
    back.symbol = sim[i].symbol;
    ASSERT_TRUE(same_tick(back, sim[i], /*with_flags=*/false)) << "tick " << i;
    ASSERT_EQ(back.flags, 0u);
    odd += sim[i].flags == kTradeFlagOddLot;
  }
  EXPECT_GT(odd, 0u);
}

TEST(CanonicalRow, SimSessionRoundTripsThroughTheReplayFeed) {
  SimOptions o;
  o.symbols = 4;
  o.rate = 5000;
  o.seconds = 10;
  o.open_burst = true;
  o.skew = 0.5;
  o.seed = 3;
  o.start_ns = kOpen;
  auto feed = open_sim(o);
  ASSERT_TRUE(feed);
  std::vector<Tick> ticks = take(*feed, std::size_t{1} << 30);
  std::string csv(format_header(Format::kCanonical));
  csv += '\n';
  for (const Tick& t : ticks) append_canonical_row(csv, t, feed->symbols().name(t.symbol));
  TempDir dir;
  expect_replays_to(dir.write("sim.csv", csv), ticks, feed->symbols());
}

}  // namespace
}  // namespace harrier::feed
