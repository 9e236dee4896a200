#include "market/bar_sealer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace harrier {
namespace {

constexpr TimestampNs kSec = kNsPerSec;
constexpr TimestampNs kMs = kNsPerMs;

struct Collect final : BarSink {
  std::vector<SealedBar> bars;
  std::vector<std::pair<SymbolId, SweepEvent>> sweeps;
  void on_bar(SealedBar& b) override { bars.push_back(b); }
  void on_sweep(SymbolId s, const SweepEvent& e) override { sweeps.emplace_back(s, e); }
  std::vector<Bar> of(SymbolId sym, Interval iv) const {
    std::vector<Bar> out;
    for (const auto& b : bars) {
      if (b.symbol == sym && b.interval == iv) out.push_back(b.bar);
    }
    return out;
  }
};

// A trade at exchange time t, processed when the clock reads t (a replay at full speed).
void trade(BarSealer& s, SymbolId sym, TimestampNs t, double px, std::int64_t sz,
           std::uint32_t flags = 0) {
  s.on_clock(t);
  s.on_tick(Tick::trade(sym, t, px, sz, flags), t);
}

TEST(BarSealer, TickExactlyOnBoundaryOpensTheNextBar) {
  Collect out;
  BarSealer s({}, out);
  trade(s, 0, 500 * kMs, 10.0, 100);
  trade(s, 0, 1 * kSec, 11.0, 200);  // exactly the end of [0, 1s): belongs to [1s, 2s)
  auto bars = out.of(0, Interval::k1s);
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_EQ(bars[0].ts, 0);
  EXPECT_EQ(bars[0].volume, 100);
  EXPECT_EQ(bars[0].close, 10.0);
  EXPECT_EQ(out.bars[0].cause, SealCause::kEvent);
  s.finish(2 * kSec);
  bars = out.of(0, Interval::k1s);
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[1].ts, 1 * kSec);
  EXPECT_EQ(bars[1].open, 11.0);
  EXPECT_EQ(bars[1].volume, 200);
  EXPECT_EQ(bars[1].seq, 1);
}

TEST(BarSealer, GapOfSeveralBarsIsForwardFilled) {
  Collect out;
  BarSealer s({}, out);
  trade(s, 0, 100 * kMs, 10.0, 100);
  trade(s, 0, 150 * kMs, 10.5, 100);
  trade(s, 0, 3200 * kMs, 12.0, 100);
  auto bars = out.of(0, Interval::k1s);
  ASSERT_EQ(bars.size(), 3u);
  EXPECT_FALSE(bars[0].filled);
  EXPECT_EQ(bars[0].close_filled, 10.5);
  for (int i = 1; i <= 2; ++i) {
    EXPECT_EQ(bars[i].ts, i * kSec);
    EXPECT_EQ(bars[i].seq, i);
    EXPECT_TRUE(bars[i].filled);
    EXPECT_TRUE(std::isnan(bars[i].close));
    EXPECT_TRUE(std::isnan(bars[i].vwap));
    EXPECT_EQ(bars[i].close_filled, 10.5);
    EXPECT_EQ(bars[i].volume, 0);
    EXPECT_EQ(bars[i].delta_price, 0.0);
  }
  // The 5 s bar [0, 5 s) is still open: nothing sealed there yet.
  EXPECT_TRUE(out.of(0, Interval::k5s).empty());
}

TEST(BarSealer, DueTimeIsTheClosingTickOrTheClockDeadline) {
  Collect out;
  BarSealer s({}, out);
  s.on_tick(Tick::trade(0, 100 * kMs, 10.0, 100), 100 * kMs);
  // The closing tick at 2.3 s (seen by the caller at 2.31 s) seals [0, 1s) and fills [1s, 2s):
  // both became sealable when that tick happened.
  s.on_tick(Tick::trade(0, 2300 * kMs, 10.5, 100), 2310 * kMs);
  auto bars = out.of(0, Interval::k1s);
  ASSERT_EQ(bars.size(), 2u);
  for (const SealedBar& b : out.bars) {
    EXPECT_EQ(b.cause, SealCause::kEvent);
    EXPECT_EQ(b.due_ns, 2300 * kMs);
    EXPECT_EQ(b.sealed_ns, 2310 * kMs);
  }
  EXPECT_LE(s.next_deadline(), 3 * kSec + 250 * kMs);  // a lower bound of [2s, 3s) + grace
  // The clock seals [2s, 3s) and [3s, 4s) late, at 4.4 s: each was due at its end + grace.
  out.bars.clear();
  s.on_clock(4400 * kMs);
  ASSERT_EQ(out.bars.size(), 2u);
  EXPECT_EQ(out.bars[0].cause, SealCause::kClock);
  EXPECT_EQ(out.bars[0].due_ns, 3250 * kMs);
  EXPECT_EQ(out.bars[1].due_ns, 4250 * kMs);
  EXPECT_EQ(out.bars[1].sealed_ns, 4400 * kMs);
}

TEST(BarSealer, QuietSymbolIsSealedByTheClockAfterTheGrace) {
  Collect out;
  BarSealer s({}, out);
  s.on_tick(Tick::trade(0, 100 * kMs, 10.0, 100), 100 * kMs);
  s.on_tick(Tick::trade(1, 100 * kMs, 20.0, 100), 100 * kMs);
  s.on_clock(1249 * kMs);  // end 1 s + grace 250 ms not yet reached
  EXPECT_TRUE(out.bars.empty());
  s.on_clock(1250 * kMs);
  auto b0 = out.of(0, Interval::k1s);
  auto b1 = out.of(1, Interval::k1s);
  ASSERT_EQ(b0.size(), 1u);
  ASSERT_EQ(b1.size(), 1u);
  EXPECT_EQ(out.bars[0].cause, SealCause::kClock);
  EXPECT_EQ(out.bars[0].sealed_ns, 1250 * kMs);
  // The clock keeps sealing empty, forward-filled bars for the quiet symbol.
  s.on_clock(3250 * kMs);
  b0 = out.of(0, Interval::k1s);
  ASSERT_EQ(b0.size(), 3u);
  EXPECT_TRUE(b0[2].filled);
  EXPECT_EQ(b0[2].close_filled, 10.0);
  EXPECT_EQ(s.stats().sealed_by_clock, 6u);
}

TEST(BarSealer, LateTickIsCountedAndNeverMerged) {
  Collect out;
  BarSealer s({}, out);
  trade(s, 0, 500 * kMs, 10.0, 100);
  s.on_clock(1300 * kMs);  // seals [0, 1s) by the clock
  ASSERT_EQ(out.of(0, Interval::k1s).size(), 1u);
  // A print stamped 0.9 s arrives now: too late for the sealed 1 s bar.
  s.on_tick(Tick::trade(0, 900 * kMs, 99.0, 7), 1300 * kMs);
  EXPECT_EQ(s.stats().late_ticks, 1u);
  EXPECT_EQ(s.stats().late_by_interval[index_of(Interval::k1s)], 1u);
  EXPECT_EQ(s.stats().late_by_interval[index_of(Interval::k5s)], 0u);
  trade(s, 0, 1500 * kMs, 11.0, 100);
  s.finish(6 * kSec);
  auto bars = out.of(0, Interval::k1s);
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[0].volume, 100);  // not merged into the sealed bar
  EXPECT_EQ(bars[0].high, 10.0);
  EXPECT_EQ(bars[1].late_ticks, 1);  // counted in the bar that was open when it came
  EXPECT_EQ(bars[1].volume, 100);
  EXPECT_EQ(bars[1].high, 11.0);
  // The 5 s bar was still open, so the same print is on time there.
  auto five = out.of(0, Interval::k5s);
  ASSERT_EQ(five.size(), 1u);
  EXPECT_EQ(five[0].volume, 207);
  EXPECT_EQ(five[0].high, 99.0);
  EXPECT_EQ(five[0].late_ticks, 0);
}

TEST(BarSealer, OutOfOrderTicksWithinTheOpenBarMerge) {
  Collect out;
  BarSealer s({}, out);
  trade(s, 0, 1500 * kMs, 10.0, 100);
  trade(s, 0, 1200 * kMs, 9.0, 50);  // earlier, but the bar [1s, 2s) is still open
  s.finish(2 * kSec);
  auto bars = out.of(0, Interval::k1s);
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_EQ(bars[0].volume, 150);
  EXPECT_EQ(bars[0].low, 9.0);
  EXPECT_EQ(bars[0].open, 10.0);  // arrival order
  EXPECT_EQ(bars[0].close, 9.0);
  EXPECT_EQ(s.stats().late_ticks, 0u);
}

TEST(BarSealer, QuoteAtSealAndTradeSides) {
  Collect out;
  BarSealer s({}, out);
  s.on_tick(Tick::quote(0, 10 * kMs, 10.00, 300, 10.02, 100), 10 * kMs);
  trade(s, 0, 20 * kMs, 10.02, 100);  // at the ask: buy
  trade(s, 0, 30 * kMs, 10.00, 40);   // at the bid: sell
  trade(s, 0, 40 * kMs, 10.01, 10);   // inside: tick rule, up from 10.00: buy
  trade(s, 0, 50 * kMs, 10.01, 5);    // unchanged: keeps the last direction (buy)
  s.finish(kSec);
  auto bars = out.of(0, Interval::k1s);
  ASSERT_EQ(bars.size(), 1u);
  const Bar& b = bars[0];
  EXPECT_EQ(b.buy_volume, 115);
  EXPECT_EQ(b.sell_volume, 40);
  EXPECT_EQ(b.delta, 75);
  EXPECT_EQ(b.cum_delta, 75);
  EXPECT_DOUBLE_EQ(b.directional_pressure, 75.0 / 155.0);
  EXPECT_DOUBLE_EQ(b.dom_hit_rate, 140.0 / 155.0);
  EXPECT_EQ(b.quote_count, 1);
  EXPECT_EQ(b.trade_count, 4);
  EXPECT_EQ(b.bid, 10.00);
  EXPECT_EQ(b.ask, 10.02);
  EXPECT_DOUBLE_EQ(b.mid, 10.01);
  EXPECT_EQ(b.spread, 10.02 - 10.00);
  EXPECT_DOUBLE_EQ(b.book_imbalance, 0.5);
  EXPECT_DOUBLE_EQ(b.vwap, (10.02 * 100 + 10.00 * 40 + 10.01 * 15) / 155);
}

TEST(BarSealer, TradeRuleExcludesPrints) {
  Collect out;
  SealerOptions opt;
  opt.rule.price_exclude = kTradeFlagSuspicious | kTradeFlagOddLot;
  opt.rule.volume_exclude = kTradeFlagSuspicious;
  BarSealer s(opt, out);
  trade(s, 0, 10 * kMs, 10.0, 100);
  trade(s, 0, 20 * kMs, 50.0, 100, kTradeFlagSuspicious);
  trade(s, 0, 30 * kMs, 9.0, 10, kTradeFlagOddLot);
  s.finish(kSec);
  const Bar b = out.of(0, Interval::k1s).at(0);
  EXPECT_EQ(b.high, 10.0);
  EXPECT_EQ(b.low, 10.0);
  EXPECT_EQ(b.volume, 110);  // the odd lot counts in volume, the suspicious print nowhere
  EXPECT_EQ(s.stats().price_excluded, 2u);
  EXPECT_EQ(s.stats().volume_excluded, 1u);
}

TEST(BarSealer, LongGapGoesDormantInsteadOfFillingTheNight) {
  Collect out;
  SealerOptions opt;
  opt.max_gap_fill_ns = 10 * kSec;
  BarSealer s(opt, out);
  trade(s, 0, 100 * kMs, 10.0, 100);
  trade(s, 0, 3600 * kSec + 100 * kMs, 11.0, 100);
  s.finish(3602 * kSec);
  auto bars = out.of(0, Interval::k1s);
  // The bar with the trade, empty bars up to 10 s after it, then the next trade's bar.
  ASSERT_EQ(bars.size(), 12u);
  EXPECT_EQ(bars[10].ts, 10 * kSec);
  EXPECT_EQ(bars[11].ts, 3600 * kSec);
  EXPECT_EQ(bars[11].seq, 11);
  EXPECT_EQ(bars[11].delta_price, 1.0);
  EXPECT_GE(s.stats().dormant_gaps, 1u);
}

TEST(BarSealer, SessionResetsAcrossDaylightSavingChange) {
  // 2013-03-08 (Friday) is EST: 09:30 New York = 14:30 UTC. 2013-03-11 (Monday) is EDT after
  // the change on Sunday 03-10: 09:30 New York = 13:30 UTC.
  const TimestampNs fri_1500 = (days_from_civil(2013, 3, 8) * 86400 + 15 * 3600) * kSec;
  const TimestampNs mon = days_from_civil(2013, 3, 11) * 86400 * kSec;
  Collect out;
  BarSealer s({}, out);
  trade(s, 0, fri_1500, 100.0, 100);
  trade(s, 0, mon + (13 * 3600 + 25 * 60) * kSec, 200.0, 100);  // 09:25 EDT: Friday's session
  trade(s, 0, mon + (13 * 3600 + 35 * 60) * kSec, 300.0, 100);  // 09:35 EDT: a new session
  s.finish(mon + 14 * 3600 * kSec);
  auto find = [&](TimestampNs ts) {
    for (const Bar& b : out.of(0, Interval::k5m)) {
      if (b.ts == ts) return b;
    }
    ADD_FAILURE() << "no 5m bar at " << ts;
    return Bar{};
  };
  const Bar pre = find(mon + (13 * 3600 + 25 * 60) * kSec);
  const Bar at_open = find(mon + (13 * 3600 + 30 * 60) * kSec);
  const Bar after = find(mon + (13 * 3600 + 35 * 60) * kSec);
  EXPECT_DOUBLE_EQ(pre.session_vwap, 150.0);      // still Friday's session
  EXPECT_TRUE(std::isnan(at_open.session_vwap));  // reset at 13:30 UTC, no trade yet
  EXPECT_EQ(at_open.cum_delta, 0.0);
  EXPECT_DOUBLE_EQ(after.session_vwap, 300.0);  // not at EST's 14:30
}

TEST(BarSealer, SweepIsReportedOncePerRun) {
  Collect out;
  BarSealer s({}, out);
  s.on_tick(Tick::quote(0, 1 * kMs, 10.00, 100, 10.01, 100), 1 * kMs);
  trade(s, 0, 10 * kMs, 10.01, 100);
  trade(s, 0, 20 * kMs, 10.02, 100);
  trade(s, 0, 30 * kMs, 10.03, 100);
  trade(s, 0, 200 * kMs, 10.04, 100);  // past the 50 ms window: a new run
  s.finish(kSec);
  ASSERT_EQ(out.sweeps.size(), 1u);
  EXPECT_EQ(out.sweeps[0].second.side, Side::kBuy);
  EXPECT_EQ(out.sweeps[0].second.levels, 2);
  EXPECT_EQ(out.of(0, Interval::k1s).at(0).sweep_count, 1.0);
}

TEST(BarSealer, SymbolsAreIndependent) {
  Collect out;
  BarSealer s({}, out);
  trade(s, 0, 100 * kMs, 10.0, 1);
  trade(s, 1, 200 * kMs, 20.0, 2);
  trade(s, 0, 1100 * kMs, 11.0, 1);  // seals SPY's first second only
  auto b0 = out.of(0, Interval::k1s);
  ASSERT_EQ(b0.size(), 1u);
  EXPECT_EQ(b0[0].close, 10.0);
  EXPECT_TRUE(out.of(1, Interval::k1s).empty());
}

TEST(BarSealer, MaySealIsFalseOnlyForATickThatSealsNothing) {
  Collect out;
  BarSealer s({}, out);
  const Tick first = Tick::trade(0, 100 * kMs, 10.0, 1);
  EXPECT_TRUE(s.may_seal(first));  // a symbol the sealer has not seen
  s.on_tick(first, first.ts_ns);
  EXPECT_TRUE(s.may_seal(Tick::trade(0, 1 * kSec, 10.0, 1)));  // closes [0, 1s)
  s.on_tick(Tick::trade(0, 200 * kMs, 10.0, 1), 200 * kMs);    // computes the fast window
  EXPECT_FALSE(s.may_seal(Tick::trade(0, 300 * kMs, 10.0, 1)));
  EXPECT_TRUE(s.may_seal(Tick::trade(1, 300 * kMs, 10.0, 1)));

  // Over a random stream (three symbols, trades and quotes, some a little out of order,
  // crossing every interval's boundaries): a tick it calls safe seals nothing and is late for
  // nothing, and most ticks are safe.
  std::uint64_t x = 0x2545F4914F6CDD1Dull;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  TimestampNs t = 2 * kSec;
  std::size_t safe = 0, ticks = 0;
  for (int i = 0; i < 200000; ++i) {
    t += static_cast<TimestampNs>(next() % (3 * kMs));
    const SymbolId sym = static_cast<SymbolId>(next() % 3);
    // One tick in 50 stamped up to 400 ms before the others: late for some bars.
    const TimestampNs ts =
        next() % 50 == 0 ? t - static_cast<TimestampNs>(next() % (400 * kMs)) : t;
    const double px = 10.0 + static_cast<double>(next() % 100) / 100.0;
    const Tick tick = next() % 3 == 0
                          ? Tick::trade(sym, ts, px, static_cast<std::int64_t>(1 + next() % 10))
                          : Tick::quote(sym, ts, px, 100, px + 0.01, 100);
    const bool may = s.may_seal(tick);
    const std::size_t bars = out.bars.size();
    const std::uint64_t late = s.stats().late_ticks;
    s.on_tick(tick, t);
    ++ticks;
    if (!may) {
      ++safe;
      ASSERT_EQ(out.bars.size(), bars) << "tick " << i << " at " << ts << " sealed a bar";
      ASSERT_EQ(s.stats().late_ticks, late) << "tick " << i << " at " << ts << " was late";
    }
  }
  EXPECT_GT(out.bars.size(), 1000u);  // the stream did cross boundaries (~6.7 min of them)
  EXPECT_GT(safe, ticks * 9 / 10);
}

}  // namespace
}  // namespace harrier
