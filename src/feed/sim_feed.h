// SimFeed: a seeded stochastic market for any number of symbols (the `sim` feed of
// ARCHITECTURE §5), following the model of the shared tick generator (bench/README.md,
// gen_ticks.py): Poisson arrivals, an optional open burst, integer-cent quotes on a random
// walk, trades inside the quote. The model is documented in docs/replay-formats.md.
//
// Deterministic: the same options give the same ticks, bit for bit, on every run and machine
// (xoshiro256** seeded by splitmix64, integer cents, no floating-point state carried except
// the arrival time). It does NOT reproduce gen_ticks.py's byte stream: Python's Mersenne
// Twister and its draw order differ; the arrivals here are the exact inhomogeneous Poisson
// process (gen_ticks.py holds the burst intensity constant over each gap); and a trade prints
// within its symbol's last published quote tick (gen_ticks.py uses the walk's current state,
// which a trade event may just have moved unseen). Run `harrier sim` and replay its CSV to
// share an input with other implementations.
//
// The feed hands out ticks as fast as it is called; timestamps are exchange times in ns since
// the UTC epoch, start_ns plus the simulated arrival offset. Live pacing is the caller's job
// (feed::Pacer at speed 1, as for a replay). No allocation per tick. Driven by one thread
// (the feed thread); not thread-safe. Every tick passes validate_tick() by construction.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "feed/feed.h"

namespace harrier::feed {

struct SimOptions {
  std::uint32_t symbols = 1;  // SPY, QQQ, SYM003, SYM004, ... (1 to kMaxSimSymbols)
  double rate = 2000;         // mean events/s across all symbols, outside the burst (> 0)
  std::uint64_t seed = 1;
  bool open_burst = false;   // first 10% of the session at 5x rate falling linearly to 1x
  double seconds = 60;       // session length in s; 0 = endless (no burst then)
  double trade_frac = 0.3;   // share of events that are trades, [0, 1]; the rest are quotes
  double skew = 0;           // symbol i is picked with weight 1/(i+1)^skew; 0 = equal (>= 0)
  TimestampNs start_ns = 0;  // exchange time of the session start ("now" is the caller's)
};

inline constexpr std::uint32_t kMaxSimSymbols = 100'000;

// The model's constants (docs/replay-formats.md, "The simulator").
namespace sim {
inline constexpr double kMoveProb = 0.05;   // a quote moves one tick per event of its symbol
inline constexpr double kBurstShare = 0.1;  // the burst covers the first 10% of the session
inline constexpr double kBurstPeak = 5.0;   // intensity multiple at the session start
inline constexpr std::int64_t kSpyCents = 51200;
inline constexpr std::int64_t kQqqCents = 44500;
inline constexpr std::int64_t kMinStartCents = 2000;  // other symbols start in [20.00, 400.00)
inline constexpr std::int64_t kMaxStartCents = 40000;
struct Venue {
  std::string_view mic;
  char code;  // Tick::venue, as venue_code(mic) maps it
};
inline constexpr std::array<Venue, 8> kVenues = {{
    {"XNAS", 'Q'},
    {"XNYS", 'N'},
    {"ARCX", 'P'},
    {"BATS", 'Z'},
    {"EDGX", 'K'},
    {"IEXG", 'V'},
    {"MEMX", 'U'},
    {"XCHI", 'M'},
}};
}  // namespace sim

// Name of simulated symbol `i` (0-based): SPY, QQQ, then SYM003, SYM004, ...
std::string sim_symbol_name(std::uint32_t i);

// Returns kInvalidInput naming the field when an option is out of range (see SimOptions), or
// when start_ns plus the session does not fit in int64 ns.
Status validate_sim_options(const SimOptions& options);

class SimFeed final : public Feed {
 public:
  // Returns the validate_sim_options() error for bad options.
  static Result<std::unique_ptr<SimFeed>> open(const SimOptions& options);

  // Always true until the session's end (never, when endless); never an error.
  Result<bool> next(Tick& out) override;
  const SymbolTable& symbols() const override { return symbols_; }
  // `ticks` counts events; `lines` stays 0 (nothing is read) and nothing is ever rejected.
  const FeedStats& stats() const override { return stats_; }

  const SimOptions& options() const { return options_; }
  // Moves the session start (a few ms at most, e.g. a session started "now" re-anchored when
  // its feed thread starts, so exchange times match the wall clock). REQUIRES: next() not
  // called yet.
  void rebase(TimestampNs start_ns) { options_.start_ns = start_ns; }
  // Simulated seconds from the session start to the latest event.
  double elapsed_s() const { return t_s_; }

 private:
  explicit SimFeed(const SimOptions& options) : options_(options) {}

  // xoshiro256** 1.0 (Blackman and Vigna, public domain reference algorithm), seeded through
  // splitmix64. next() works on a local copy of the state, which then stays in registers (the
  // member would be reloaded after each store to the Tick, whose int64 fields may alias it).
  struct Xoshiro {
    std::array<std::uint64_t, 4> s{};
    std::uint64_t next() {
      const std::uint64_t result = std::rotl(s[1] * 5, 7) * 9;
      const std::uint64_t t = s[1] << 17;
      s[2] ^= s[0];
      s[3] ^= s[1];
      s[1] ^= s[2];
      s[0] ^= s[3];
      s[2] ^= t;
      s[3] = std::rotl(s[3], 45);
      return result;
    }
  };
  std::uint64_t next_u64() { return rng_.next(); }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n). REQUIRES: n > 0.
  std::int64_t below(std::int64_t n) {
    return static_cast<std::int64_t>(uniform() * static_cast<double>(n));
  }
  // Seconds from t_s_ to the next arrival of the (possibly inhomogeneous) Poisson process.
  double next_gap_s(Xoshiro& rng) const;
  std::uint32_t pick_symbol(Xoshiro& rng) const;

  SimOptions options_;
  SymbolTable symbols_;
  FeedStats stats_;
  Xoshiro rng_;
  std::vector<double> cum_weight_;  // cumulative symbol weights, the last is 1
  struct Quote {
    std::int64_t bid_cents = 0;        // the quote's current state
    std::int64_t shown_bid_cents = 0;  // the quote last handed out
    std::int8_t spread_ticks = 1;      // 1, 2 or 3
    std::int8_t shown_spread_ticks = 1;
  };
  std::vector<Quote> quotes_;  // per symbol
  double t_s_ = 0;             // simulated time of the latest event, s since the session start
  double end_ns_ = 0;          // offset (ns) where the session ends; far away when endless
  double burst_s_ = 0;         // burst length in s; 0 = no burst
  double burst_k_ = 0;         // slope of the burst's intensity multiple, (peak - 1) / burst_s_
  double inv_rate_ = 0;        // 1 / rate: an Exp(1) variate in seconds at rate R
  std::uint64_t trade_threshold_ = 0;  // trade_frac in units of 2^-29 (29-bit draws below it)
  bool equal_weights_ = false;         // skew 0 with several symbols: no search
  bool done_ = false;
};

// Appends `tick` as one canonical CSV row (docs/replay-formats.md, format 1) with its newline:
// whole-cent prices with two decimals (others in shortest round-trip form), the venue as its
// MIC (a letter without one as itself). decode_line(Format::kCanonical) reads it back to the
// same Tick except `flags`, which the canonical format does not carry.
void append_canonical_row(std::string& out, const Tick& tick, std::string_view symbol);

// The MIC of a one-letter venue code from sim::kVenues; the letter itself for other letters;
// empty for 0.
std::string_view venue_mic(char code);

}  // namespace harrier::feed
