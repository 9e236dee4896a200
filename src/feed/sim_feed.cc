#include "feed/sim_feed.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/text.h"

namespace harrier::feed {
namespace {

constexpr double kNsPerSecD = 1e9;

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

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
  for (auto& word : f->rng_) word = splitmix64(sm);

  const std::uint32_t n = options.symbols;
  f->bid_cents_.resize(n);
  f->spread_ticks_.assign(n, 1);
  f->shown_bid_cents_.resize(n);
  f->shown_spread_ticks_.assign(n, 1);
  f->cum_weight_.resize(n);
  double total = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    HARRIER_TRY(f->symbols_.intern(sim_symbol_name(i)));
    std::int64_t mid =
        i == 0   ? sim::kSpyCents
        : i == 1 ? sim::kQqqCents
                 : sim::kMinStartCents + f->below(sim::kMaxStartCents - sim::kMinStartCents);
    f->bid_cents_[i] = mid - 1;  // a one-tick spread with the ask at the starting price
    f->shown_bid_cents_[i] = mid - 1;
    total += std::pow(static_cast<double>(i) + 1, -options.skew);
    f->cum_weight_[i] = total;
  }
  for (double& c : f->cum_weight_) c /= total;
  f->cum_weight_.back() = 1.0;

  f->end_ns_ = options.seconds == 0
                   ? static_cast<double>(offset_limit_ns(options.start_ns))
                   : static_cast<double>(std::llround(options.seconds * kNsPerSecD));
  f->burst_s_ = options.open_burst ? options.seconds * sim::kBurstShare : 0;
  return f;
}

std::uint64_t SimFeed::next_u64() {
  // xoshiro256** 1.0 (Blackman and Vigna, public domain reference algorithm).
  const std::uint64_t result = rotl(rng_[1] * 5, 7) * 9;
  const std::uint64_t t = rng_[1] << 17;
  rng_[2] ^= rng_[0];
  rng_[3] ^= rng_[1];
  rng_[1] ^= rng_[2];
  rng_[0] ^= rng_[3];
  rng_[2] ^= t;
  rng_[3] = rotl(rng_[3], 45);
  return result;
}

double SimFeed::next_gap_s() {
  // Inverse CDF: the integrated intensity up to the next arrival is an Exp(1) variate e.
  const double e = -std::log1p(-uniform()) / options_.rate;  // in "seconds at rate R"
  if (t_s_ >= burst_s_) return e;
  // In the burst the intensity multiple falls linearly, m(s) = 1 + k (B - s), from 5 at s = 0
  // to 1 at s = B. Its integral from t over d is a d - k d^2 / 2 with a = m(t).
  const double left = burst_s_ - t_s_;
  const double k = (sim::kBurstPeak - 1) / burst_s_;
  const double a = 1 + k * left;
  const double burst_mass = left + 0.5 * k * left * left;  // integral of m from t to B
  if (e >= burst_mass) return left + (e - burst_mass);     // the arrival falls after the burst
  // Root of k d^2 / 2 - a d + e = 0 in the form without cancellation.
  return 2 * e / (a + std::sqrt(a * a - 2 * k * e));
}

std::uint32_t SimFeed::pick_symbol() {
  if (cum_weight_.size() == 1) return 0;
  const double u = uniform();
  auto it = std::upper_bound(cum_weight_.begin(), cum_weight_.end(), u);
  if (it == cum_weight_.end()) --it;
  return static_cast<std::uint32_t>(it - cum_weight_.begin());
}

Result<bool> SimFeed::next(Tick& out) {
  if (done_) return false;
  t_s_ += next_gap_s();
  const double offset_ns = std::floor(t_s_ * kNsPerSecD);
  if (!(offset_ns < end_ns_)) {
    done_ = true;
    return false;
  }
  const TimestampNs ts = options_.start_ns + static_cast<TimestampNs>(offset_ns);
  const std::uint32_t k = pick_symbol();

  // The symbol's quote walks one tick with probability kMoveProb on each of its events, and
  // its spread is drawn again after a move.
  std::int64_t& bid = bid_cents_[k];
  std::int8_t& spread = spread_ticks_[k];
  const double u = uniform();
  if (u < sim::kMoveProb) {
    if (u < sim::kMoveProb / 2) {
      ++bid;
    } else if (bid > 2) {
      --bid;
    }
    const double v = uniform();
    spread = v < 0.7 ? 1 : (v < 0.9 ? 2 : 3);
  }
  const char venue =
      sim::kVenues[static_cast<std::size_t>(below(static_cast<std::int64_t>(sim::kVenues.size())))]
          .code;

  if (uniform() < options_.trade_frac) {
    // A trade prints within the symbol's last published quote, which is what a consumer saw
    // just before it: at the bid, at the ask, or strictly inside when the spread allows.
    const std::int64_t b = shown_bid_cents_[k];
    const std::int64_t s = shown_spread_ticks_[k];
    const double v = uniform();
    std::int64_t px = 0;
    if (v < 0.4) {
      px = b;
    } else if (v < 0.8) {
      px = b + s;
    } else if (s > 1) {
      px = b + 1 + below(s - 1);
    } else {
      px = v < 0.9 ? b : b + s;
    }
    const std::int64_t size = uniform() < 0.6 ? 100 * (1 + below(10)) : 1 + below(99);
    out = Tick::trade(k, ts, static_cast<double>(px) / 100, size,
                      size < 100 ? kTradeFlagOddLot : kTradeFlagNone);
  } else {
    const auto bid_size = static_cast<std::int32_t>(100 * (1 + below(50)));
    const auto ask_size = static_cast<std::int32_t>(100 * (1 + below(50)));
    out = Tick::quote(k, ts, static_cast<double>(bid) / 100, bid_size,
                      static_cast<double>(bid + spread) / 100, ask_size);
    shown_bid_cents_[k] = bid;
    shown_spread_ticks_[k] = spread;
  }
  out.venue = venue;
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
