#include "feed/sim_feed.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>

#include "core/text.h"

namespace harrier::feed {
namespace {

constexpr double kNsPerSecD = 1e9;

// The per-event decisions draw from 64-bit words split into fields, not one 53-bit double per
// decision: a probability p is a comparison of 32 random bits with p * 2^32 (exact to 2^-32),
// a uniform integer below n a multiply-shift of the bits (bias below n / 2^32).
constexpr std::uint64_t threshold32(double p) { return static_cast<std::uint64_t>(p * 0x1.0p32); }
constexpr std::uint64_t kMoveThreshold = threshold32(sim::kMoveProb);
constexpr std::uint64_t kUpThreshold = threshold32(sim::kMoveProb / 2);
constexpr std::uint64_t kSpread1Threshold = threshold32(0.7);  // 1 tick 70%, 2 ticks 20%
constexpr std::uint64_t kSpread2Threshold = threshold32(0.9);
constexpr std::uint64_t kAtBidThreshold = threshold32(0.4);  // at the bid 40%, at the ask 40%
constexpr std::uint64_t kAtAskThreshold = threshold32(0.8);
constexpr std::uint64_t kBidSideThreshold = threshold32(0.9);  // inside a 1-tick spread
constexpr std::uint64_t kRoundLotThreshold = threshold32(0.6);
static_assert(sim::kVenues.size() == 8, "the venue takes 3 bits of a draw");
constexpr std::array<char, 8> kVenueCodes = [] {
  std::array<char, 8> codes{};
  for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = sim::kVenues[i].code;
  return codes;
}();

// -log(u) for u in (0, 1], to within 5e-15 (never negative): u = 2^e m with m in [1, 2),
// log m = log c + log1p(m / c - 1) for the table point c nearest m, the log1p by its series to
// r^5 (|r| < 2^-9, so the remainder is below 2^-54 / 6). A third of glibc's log, which checks
// for special values the uniform never is.
class NegLog {
 public:
  NegLog() {
    for (std::size_t i = 0; i < kSize; ++i) {
      const double c = 1 + (static_cast<double>(i) + 0.5) / kSize;
      inv_c_[i] = 1 / c;
      minus_log_c_[i] = -std::log(c);
    }
  }
  // REQUIRES: 2^-1022 <= u <= 1 (normal).
  double operator()(double u) const {
    const auto bits = std::bit_cast<std::uint64_t>(u);
    const auto minus_e = static_cast<double>(1023 - static_cast<std::int64_t>(bits >> 52));
    const std::size_t i = (bits >> (52 - kBits)) & (kSize - 1);
    const double m =
        std::bit_cast<double>((bits & 0x000f'ffff'ffff'ffffULL) | 0x3ff0'0000'0000'0000ULL);
    const double r = m * inv_c_[i] - 1;
    const double log1p_r = r * (1 - r * (1.0 / 2 - r * (1.0 / 3 - r * (1.0 / 4 - r * (1.0 / 5)))));
    const double minus_log = minus_e * std::numbers::ln2 + minus_log_c_[i] - log1p_r;
    return minus_log > 0 ? minus_log : 0.0;
  }

 private:
  static constexpr int kBits = 8;
  static constexpr std::size_t kSize = std::size_t{1} << kBits;
  std::array<double, kSize> inv_c_{};
  std::array<double, kSize> minus_log_c_{};
};

const NegLog kNegLog;

constexpr std::uint64_t low32(std::uint64_t r) { return r & 0xffff'ffffULL; }
// Uniform integer in [0, n) from 32 random bits. REQUIRES: bits < 2^32, 0 < n < 2^32.
constexpr std::int64_t below32(std::uint64_t bits, std::uint64_t n) {
  return static_cast<std::int64_t>((bits * n) >> 32);
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The latest offset from start_ns a session may reach: half the int64 range left after the
// start, so a timestamp never overflows (an endless session ends there, ~146 years in).
TimestampNs offset_limit_ns(TimestampNs start_ns) {
  return (std::numeric_limits<TimestampNs>::max() - start_ns) / 2;
}

Error bad_option(const char* field, const std::string& why) {
  return invalid_input(std::string("sim option ") + field + ": " + why);
}

std::string num(double v) {
  std::string s;
  text::append_double(s, v);
  return s;
}

void append_price(std::string& out, double px) {
  if (std::isfinite(px) && px >= 0 && px < 1e15) {
    const auto cents = static_cast<std::int64_t>(std::llround(px * 100));
    if (static_cast<double>(cents) / 100 == px) {
      text::append_int(out, cents / 100);
      out += '.';
      out += static_cast<char>('0' + cents % 100 / 10);
      out += static_cast<char>('0' + cents % 10);
      return;
    }
  }
  text::append_double(out, px);
}

}  // namespace

std::string sim_symbol_name(std::uint32_t i) {
  if (i == 0) return "SPY";
  if (i == 1) return "QQQ";
  char buf[16];
  std::snprintf(buf, sizeof buf, "SYM%03u", i + 1);
  return buf;
}

Status validate_sim_options(const SimOptions& o) {
  if (o.symbols < 1 || o.symbols > kMaxSimSymbols) {
    return bad_option("symbols", "must be 1 to " + std::to_string(kMaxSimSymbols) + " (got " +
                                     std::to_string(o.symbols) + ")");
  }
  if (!std::isfinite(o.rate) || o.rate <= 0) {
    return bad_option("rate", "must be a finite number of events/s > 0 (got " + num(o.rate) + ")");
  }
  if (!std::isfinite(o.trade_frac) || o.trade_frac < 0 || o.trade_frac > 1) {
    return bad_option("trade_frac", "must be from 0 to 1 (got " + num(o.trade_frac) + ")");
  }
  if (!std::isfinite(o.skew) || o.skew < 0) {
    return bad_option("skew", "must be a finite number >= 0 (got " + num(o.skew) + ")");
  }
  if (o.start_ns < 0) {
    return bad_option("start_ns",
                      "must be >= 0 ns since the epoch (got " + std::to_string(o.start_ns) + ")");
  }
  if (!std::isfinite(o.seconds) || o.seconds < 0 ||
      o.seconds * kNsPerSecD >= static_cast<double>(offset_limit_ns(o.start_ns))) {
    return bad_option("seconds",
                      "must be 0 (endless) or a session length in s that ends "
                      "within the int64 ns range (got " +
                          num(o.seconds) + ")");
  }
  if (o.open_burst && o.seconds == 0) {
    return bad_option("open_burst",
                      "needs a finite session (seconds > 0): the burst covers its "
                      "first 10%");
  }
  return ok();
}

Result<std::unique_ptr<SimFeed>> SimFeed::open(const SimOptions& options) {
  HARRIER_TRY(validate_sim_options(options));
  std::unique_ptr<SimFeed> f(new SimFeed(options));
  std::uint64_t sm = options.seed;
  for (auto& word : f->rng_.s) word = splitmix64(sm);

  const std::uint32_t n = options.symbols;
  f->quotes_.resize(n);
  f->cum_weight_.resize(n);
  double total = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    HARRIER_TRY(f->symbols_.intern(sim_symbol_name(i)));
    std::int64_t mid =
        i == 0   ? sim::kSpyCents
        : i == 1 ? sim::kQqqCents
                 : sim::kMinStartCents + f->below(sim::kMaxStartCents - sim::kMinStartCents);
    f->quotes_[i].bid_cents = mid - 1;  // a one-tick spread with the ask at the starting price
    f->quotes_[i].shown_bid_cents = mid - 1;
    total += std::pow(static_cast<double>(i) + 1, -options.skew);
    f->cum_weight_[i] = total;
  }
  for (double& c : f->cum_weight_) c /= total;
  f->cum_weight_.back() = 1.0;
  f->equal_weights_ = n > 1 && options.skew == 0;

  f->end_ns_ = options.seconds == 0
                   ? static_cast<double>(offset_limit_ns(options.start_ns))
                   : static_cast<double>(std::llround(options.seconds * kNsPerSecD));
  f->burst_s_ = options.open_burst ? options.seconds * sim::kBurstShare : 0;
  f->burst_k_ = options.open_burst ? (sim::kBurstPeak - 1) / f->burst_s_ : 0;
  f->inv_rate_ = 1 / options.rate;
  // trade_frac 1 gives 2^29, above every 29-bit draw.
  f->trade_threshold_ = static_cast<std::uint64_t>(std::ldexp(options.trade_frac, 29));
  return f;
}

inline double SimFeed::next_gap_s(Xoshiro& rng) const {
  // Inverse CDF: the integrated intensity up to the next arrival is an Exp(1) variate e,
  // -log(u) for u uniform in (0, 1] (53 bits).
  const double u = static_cast<double>((rng.next() >> 11) + 1) * 0x1.0p-53;
  const double e = kNegLog(u) * inv_rate_;  // in "seconds at rate R"
  if (t_s_ >= burst_s_) return e;
  // In the burst the intensity multiple falls linearly, m(s) = 1 + k (B - s), from 5 at s = 0
  // to 1 at s = B. Its integral from t over d is a d - k d^2 / 2 with a = m(t).
  const double left = burst_s_ - t_s_;
  const double k = burst_k_;
  const double a = 1 + k * left;
  const double burst_mass = left + 0.5 * k * left * left;  // integral of m from t to B
  if (e >= burst_mass) return left + (e - burst_mass);     // the arrival falls after the burst
  // Root of k d^2 / 2 - a d + e = 0 in the form without cancellation.
  return 2 * e / (a + std::sqrt(a * a - 2 * k * e));
}

inline std::uint32_t SimFeed::pick_symbol(Xoshiro& rng) const {
  if (equal_weights_) {
    // Multiply-shift of 40 random bits: bias below n / 2^40 (n <= kMaxSimSymbols < 2^17).
    return static_cast<std::uint32_t>(((rng.next() >> 24) * options_.symbols) >> 40);
  }
  if (cum_weight_.size() == 1) return 0;
  const double u = static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
  auto it = std::upper_bound(cum_weight_.begin(), cum_weight_.end(), u);
  if (it == cum_weight_.end()) --it;
  return static_cast<std::uint32_t>(it - cum_weight_.begin());
}

Result<bool> SimFeed::next(Tick& out) {
  if (done_) return false;
  Xoshiro rng = rng_;
  t_s_ += next_gap_s(rng);
  // end_ns_ is a whole number of ns, so the offset truncated to whole ns is below it exactly
  // when the offset is; below it the truncation is a floor (offset >= 0) that fits int64.
  const double offset_ns = t_s_ * kNsPerSecD;
  if (!(offset_ns < end_ns_)) {
    rng_ = rng;
    done_ = true;
    return false;
  }
  const TimestampNs ts = options_.start_ns + static_cast<TimestampNs>(offset_ns);
  const std::uint32_t k = pick_symbol(rng);
  Quote& q = quotes_[k];

  // One draw shapes the event: bits 0-31 the quote's move, 32-34 the venue, 35-63 trade or
  // quote. A second one gives the trade's price or the quote's sizes.
  const std::uint64_t shape = rng.next();
  const std::uint64_t detail = rng.next();

  // The symbol's quote walks one tick with probability kMoveProb on each of its events, and
  // its spread is drawn again after a move.
  const std::uint64_t move = low32(shape);
  if (move < kMoveThreshold) {
    if (move < kUpThreshold) {
      ++q.bid_cents;
    } else if (q.bid_cents > 2) {
      --q.bid_cents;
    }
    const std::uint64_t v = rng.next() >> 32;
    q.spread_ticks = v < kSpread1Threshold ? 1 : (v < kSpread2Threshold ? 2 : 3);
  }
  const char venue = kVenueCodes[(shape >> 32) & 7];

  if ((shape >> 35) < trade_threshold_) {
    // A trade prints within the symbol's last published quote, which is what a consumer saw
    // just before it: at the bid, at the ask, or strictly inside when the spread allows.
    const std::int64_t b = q.shown_bid_cents;
    const std::int64_t s = q.shown_spread_ticks;
    const std::uint64_t v = low32(detail);
    std::int64_t px = 0;
    if (v < kAtBidThreshold) {
      px = b;
    } else if (v < kAtAskThreshold) {
      px = b + s;
    } else if (s > 1) {
      px = b + 1 + below32(detail >> 32, static_cast<std::uint64_t>(s - 1));
    } else {
      px = v < kBidSideThreshold ? b : b + s;
    }
    const std::uint64_t lot = rng.next();
    const std::int64_t size = low32(lot) < kRoundLotThreshold ? 100 * (1 + below32(lot >> 32, 10))
                                                              : 1 + below32(lot >> 32, 99);
    out = Tick::trade(k, ts, static_cast<double>(px) / 100, size,
                      size < 100 ? kTradeFlagOddLot : kTradeFlagNone);
  } else {
    const auto bid_size = static_cast<std::int32_t>(100 * (1 + below32(low32(detail), 50)));
    const auto ask_size = static_cast<std::int32_t>(100 * (1 + below32(detail >> 32, 50)));
    out = Tick::quote(k, ts, static_cast<double>(q.bid_cents) / 100, bid_size,
                      static_cast<double>(q.bid_cents + q.spread_ticks) / 100, ask_size);
    q.shown_bid_cents = q.bid_cents;
    q.shown_spread_ticks = q.spread_ticks;
  }
  out.venue = venue;
  rng_ = rng;
  ++stats_.ticks;
  return true;
}

std::string_view venue_mic(char code) {
  static constexpr std::string_view kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (const sim::Venue& v : sim::kVenues) {
    if (v.code == code) return v.mic;
  }
  if (code >= 'A' && code <= 'Z') return kLetters.substr(static_cast<std::size_t>(code - 'A'), 1);
  return {};
}

void append_canonical_row(std::string& out, const Tick& tick, std::string_view symbol) {
  text::append_int(out, tick.ts_ns);
  out += ',';
  out += symbol;
  if (tick.kind == TickKind::kTrade) {
    out += ",trade,";
    append_price(out, tick.price);
    out += ',';
    text::append_int(out, tick.size);
    out += ",,,,,";
  } else {
    out += ",quote,,,";
    // An absent side (NaN price) is written empty, size included.
    if (!std::isnan(tick.bid)) {
      append_price(out, tick.bid);
      out += ',';
      text::append_int(out, tick.bid_size);
    } else {
      out += ',';
    }
    out += ',';
    if (!std::isnan(tick.ask)) {
      append_price(out, tick.ask);
      out += ',';
      text::append_int(out, tick.ask_size);
    } else {
      out += ',';
    }
    out += ',';
  }
  out += venue_mic(tick.venue);
  out += '\n';
}

}  // namespace harrier::feed
