#include "strategy/ema_rsi_confluence.h"

#include <algorithm>

#include <cmath>
#include <string>

namespace harrier::strategy {
namespace {

Error key_error(std::string_view key, const std::string& msg) {
  return invalid_input("key '" + std::string(key) + "': " + msg);
}

bool positive_finite(double v) { return std::isfinite(v) && v > 0; }

}  // namespace

Result<EmaRsiParams> EmaRsiConfluence::params_from(const Config& cfg) {
  const Config::Strategy& s = cfg.strategy;
  EmaRsiParams p;
  if (s.qty <= 0) return key_error("strategy.qty", "must be positive");
  p.qty = s.qty;
  auto trig = parse_interval(s.trigger);
  if (!trig) return key_error("strategy.trigger", trig.error().message());
  p.trigger = *trig;
  if (s.intervals.empty()) return key_error("strategy.intervals", "needs at least one interval");
  p.intervals.clear();
  for (const std::string& name : s.intervals) {
    auto iv = parse_interval(name);
    if (!iv) return key_error("strategy.intervals", iv.error().message());
    p.intervals.push_back(*iv);
  }
  if (!(s.rsi_min >= 0 && s.rsi_max <= 100 && s.rsi_min <= s.rsi_max)) {
    return key_error("strategy.rsi_min", "need 0 <= rsi_min <= rsi_max <= 100");
  }
  p.rsi_min = s.rsi_min;
  p.rsi_max = s.rsi_max;
  if (s.max_quote_age_ms < 0) return key_error("strategy.max_quote_age_ms", "must be >= 0");
  p.max_quote_age_ms = s.max_quote_age_ms;
  if (!(s.max_spread_bps >= 0)) return key_error("strategy.max_spread_bps", "must be >= 0");
  p.max_spread_bps = s.max_spread_bps;
  p.ema_uptrend = s.ema_uptrend;
  return p;
}

Decision EmaRsiConfluence::evaluate(const Context& ctx) {
  if (ctx.state.halted) return Decision::skip("halted");
  if (ctx.state.position != 0) return Decision::skip("not_flat");
  if (ctx.state.open_order) return Decision::skip("open_order");

  std::span<const Bar> trig = ctx.bundle.of(p_.trigger);
  if (trig.empty()) return Decision::skip("no_bars_" + std::string(interval_name(p_.trigger)));
  const Bar& bar = trig.back();
  if (bar.ts > ctx.bar_start_ns) return Decision::skip("superseded");
  if (bar.ts < ctx.bar_start_ns) {
    return Decision::skip("no_bars_" + std::string(interval_name(p_.trigger)));
  }

  for (Interval iv : p_.intervals) {
    std::span<const Bar> bars = ctx.bundle.of(iv);
    if (bars.empty()) return Decision::skip("no_bars_" + std::string(interval_name(iv)));
    const Bar& last = bars.back();
    // NaN compares false: an EMA not yet defined never passes.
    if (p_.ema_uptrend && !(last.ema9 > last.ema21))
      return Decision::skip("ema_" + std::string(interval_name(iv)));
  }
  if (!(bar.rsi14 >= p_.rsi_min && bar.rsi14 <= p_.rsi_max)) return Decision::skip("rsi");

  if (!ctx.quote) return Decision::skip("no_quote");
  const Quote& q = *ctx.quote;
  if (!positive_finite(q.bid) || !positive_finite(q.ask) || q.ask < q.bid) {
    return Decision::skip("bad_quote");
  }
  const TimestampNs bar_end = bar.end_ns(interval_ns(p_.trigger));
  if (bar_end - q.ts_ns > p_.max_quote_age_ms * kNsPerMs) return Decision::skip("stale_quote");
  const double mid = (q.bid + q.ask) / 2;
  if ((q.ask - q.bid) / mid * 1e4 > p_.max_spread_bps) return Decision::skip("spread");

  Decision d;
  d.enter = true;
  d.side = Side::kBuy;
  d.qty = p_.qty;
  d.type = OrderType::kMarket;
  d.reason = "confluence";
  return d;
}

std::vector<Interval> EmaRsiConfluence::reads() const {
  std::vector<Interval> out = p_.intervals;
  if (std::find(out.begin(), out.end(), p_.trigger) == out.end()) out.push_back(p_.trigger);
  return out;
}

}  // namespace harrier::strategy
