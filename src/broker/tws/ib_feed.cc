#include "broker/tws/ib_feed.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include <fmt/format.h>

#include "broker/tws/ib_options.h"
#include "feed/replay_format.h"
#include "market/session.h"

namespace harrier::tws {
namespace {

constexpr std::string_view kTag = "ib_feed";
// Tick-by-tick times are epoch seconds; anything outside (2000, 2100) is not a live tick.
constexpr std::int64_t kMinTimeS = 946'684'800;
constexpr std::int64_t kMaxTimeS = 4'102'444'800;

Contract stock(const std::string& sym, std::string exchange = "SMART") {
  Contract c;
  c.symbol = sym;
  c.sec_type = "STK";
  c.exchange = std::move(exchange);
  c.currency = "USD";
  return c;
}

// "YYYYMMDD" of the UTC day of `ns`.
std::string utc_date(TimestampNs ns) {
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(ns / (86'400 * kNsPerSec), y, m, d);
  return fmt::format("{:04}{:02}{:02}", y, m, d);
}

// A size from the wire: finite and >= 0, and small enough for `limit`.
std::optional<feed::RejectReason> check_size(double size, double limit) {
  if (std::isnan(size) || std::isinf(size) || size > limit) return feed::RejectReason::kMalformed;
  if (size < 0) return feed::RejectReason::kNegativeSize;
  return std::nullopt;
}

double finite_or_nan(double v) { return std::isfinite(v) ? v : kUnset; }

}  // namespace

Result<IbFeedOptions> ib_feed_options(const Config& c) {
  IbFeedOptions o;
  o.symbols = c.feed.symbols;
  if (o.symbols.empty())
    return invalid_input("config: key 'feed.symbols': feed.kind ib needs them");
  o.depth_venues = c.ib.depth_venues;
  o.depth_rows = static_cast<int>(c.ib.depth_rows);
  o.option_window = static_cast<int>(c.ib.option_window);
  return o;
}

Result<std::unique_ptr<IbFeed>> IbFeed::open(const Config& c, const Clock& clock,
                                             std::function<bool()> stop) {
  HARRIER_ASSIGN_OR_RETURN(IbFeedOptions o, ib_feed_options(c));
  o.stop = std::move(stop);
  HARRIER_ASSIGN_OR_RETURN(ConnectionOptions co, connection_options(c.ib, IbRole::kIngest));
  auto ids = std::make_unique<InMemoryOrderIdStore>();
  auto conn = std::make_unique<Connection>(co, clock, *ids);
  HARRIER_ASSIGN_OR_RETURN(std::unique_ptr<IbFeed> f, create(*conn, clock, std::move(o)));
  f->owned_ids_ = std::move(ids);
  f->owned_conn_ = std::move(conn);
  f->owned_conn_->start();
  log::info(kTag, "feed ib: {} symbols from {}:{} as client {}", f->syms_.size(), co.host, co.port,
            co.client_id);
  return f;
}

Result<std::unique_ptr<IbFeed>> IbFeed::create(Connection& conn, const Clock& clock,
                                               IbFeedOptions opts) {
  if (opts.symbols.empty()) return invalid_input("ib feed: no symbol (feed.symbols)");
  if (opts.trades != TickByTickType::kAllLast && opts.trades != TickByTickType::kLast) {
    return invalid_input("ib feed: trades must be Last or AllLast");
  }
  if (opts.depth_rows < 1) return invalid_input("config: key 'ib.depth_rows': must be >= 1");
  if (opts.option_window < 0) return invalid_input("config: key 'ib.option_window': must be >= 0");
  std::unique_ptr<IbFeed> f(new IbFeed(conn, clock, std::move(opts)));
  for (const std::string& name : f->opts_.symbols) {
    auto id = f->symbols_.intern(name);
    if (!id) return std::move(id).error().with_context("config: key 'feed.symbols'");
    if (*id < f->syms_.size()) continue;  // listed twice
    Sym s;
    s.name = name;
    s.id = *id;
    f->syms_.push_back(std::move(s));
  }
  HARRIER_TRY(f->subscribe_all());
  conn.set_handler(f.get());
  return f;
}

IbFeed::IbFeed(Connection& conn, const Clock& clock, IbFeedOptions opts)
    : conn_(conn), clock_(clock), opts_(std::move(opts)) {}

IbFeed::~IbFeed() { conn_.set_handler(nullptr); }

Status IbFeed::subscribe_all() {
  int depth_left = opts_.depth_limit;
  for (std::size_t i = 0; i < syms_.size(); ++i) {
    Subscription t;
    t.kind = SubKind::kTickByTick;
    t.contract = stock(syms_[i].name);
    t.tick_by_tick = opts_.trades;
    HARRIER_ASSIGN_OR_RETURN(SubId trades, conn_.subscribe(t));
    routes_[trades] = {Route::kTrades, i};
    t.tick_by_tick = TickByTickType::kBidAsk;
    HARRIER_ASSIGN_OR_RETURN(SubId quotes, conn_.subscribe(t));
    routes_[quotes] = {Route::kQuotes, i};
  }
  // Depth: venue by venue for each symbol until the account's limit.
  for (std::size_t i = 0; i < syms_.size(); ++i) {
    for (const std::string& venue : opts_.depth_venues) {
      if (depth_left-- <= 0) break;
      Subscription d;
      d.kind = SubKind::kDepth;
      d.contract = stock(syms_[i].name, venue);
      d.depth_rows = opts_.depth_rows;
      HARRIER_ASSIGN_OR_RETURN(SubId sub, conn_.subscribe(d));
      routes_[sub] = {Route::kDepth, i};
      books_[sub];
    }
  }
  return ok();
}

// ---------------------------------------------------------------------------------------------
// Driving the connection

bool IbFeed::poll(Tick& out, int rounds) {
  for (int i = 0; i < rounds && pending_.empty(); ++i) {
    if (conn_.do_work() == 0) break;
  }
  if (pending_.empty()) return false;
  out = pending_.front();
  pending_.pop_front();
  ++stats_.ticks;
  return true;
}

Result<bool> IbFeed::next(Tick& out) {
  while (true) {
    if (poll(out)) return true;
    if (opts_.stop && opts_.stop()) return false;
    if (opts_.idle_poll_ns > 0) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(opts_.idle_poll_ns));
    }
  }
}

void IbFeed::on_state(SessionState from, SessionState to, std::string_view why) {
  (void)from;
  (void)why;
  if (to == SessionState::kWaiting) {
    // The session's reqIds died with it: requests in flight are asked again next session.
    for (Sym& s : syms_) {
      s.details_req = s.chain_req = 0;
      for (auto& [k, o] : s.options) o.details_req = 0;
    }
    for (auto& [sub, b] : books_) b = Book{};  // depth is rebuilt from the replayed request
    return;
  }
  if (to != SessionState::kReady || opts_.option_window == 0) return;
  for (Sym& s : syms_) {
    if (s.con_id == 0) {
      request_underlying(s);
    } else if (!s.chain_done) {
      request_chain(s);
    } else {
      for (auto& [k, o] : s.options) {
        if (o.line.con_id == 0) qualify(s, o);
      }
    }
  }
}

void IbFeed::on_message(const Message& m, SubId sub) {
  const auto route = routes_.find(sub);
  if (const auto* t = std::get_if<TickByTickLast>(&m)) {
    ++stats_.lines;
    if (route == routes_.end()) {
      ++ib_stats_.stale_data;
    } else {
      on_trade(syms_[route->second.sym], *t);
    }
  } else if (const auto* q = std::get_if<TickByTickBidAsk>(&m)) {
    ++stats_.lines;
    if (route == routes_.end()) {
      ++ib_stats_.stale_data;
    } else {
      on_quote(syms_[route->second.sym], *q);
    }
  } else if (const auto* d = std::get_if<MarketDepth>(&m)) {
    if (route == routes_.end()) {
      ++ib_stats_.stale_data;
    } else {
      on_depth(sub, *d);
    }
  } else if (const auto* g = std::get_if<TickOptionComputation>(&m)) {
    if (route != routes_.end() && route->second.route == Route::kOption) {
      on_greeks(route->second, *g);
    }
  } else if (const auto* e = std::get_if<ErrorMessage>(&m)) {
    on_error(*e, sub);
  } else if (const auto* cd = std::get_if<ContractDetails>(&m)) {
    on_details(*cd);
  } else if (const auto* cde = std::get_if<ContractDetailsEnd>(&m)) {
    // An option asked for and not answered with a contract: the chain listed a strike the
    // expiry does not have. It stays unqualified until the window rolls away from it.
    for (Sym& s : syms_) {
      for (auto& [k, o] : s.options) {
        if (o.details_req == cde->req_id) {
          o.details_req = 0;
          if (o.line.con_id == 0) ++ib_stats_.option_unqualified;
        }
      }
    }
  } else if (const auto* p = std::get_if<SecDefOptParams>(&m)) {
    on_chain(*p);
  } else if (const auto* pe = std::get_if<SecDefOptParamsEnd>(&m)) {
    on_chain_end(pe->req_id);
  }
}

// ---------------------------------------------------------------------------------------------
// Ticks

void IbFeed::on_trade(Sym& s, const TickByTickLast& t) {
  if (auto r = check_size(t.size, 1e12)) return reject(*r, s, "trade size");
  std::uint32_t flags = 0;
  if (t.unreported) flags |= kTradeFlagNoLast;
  emit(s, Tick::trade(s.id, 0, t.price, std::llround(t.size), flags), t.time_s, "trade");
}

void IbFeed::on_quote(Sym& s, const TickByTickBidAsk& q) {
  constexpr double kMaxSize = std::numeric_limits<std::int32_t>::max();
  if (auto r = check_size(q.bid_size, kMaxSize)) return reject(*r, s, "bid size");
  if (auto r = check_size(q.ask_size, kMaxSize)) return reject(*r, s, "ask size");
  // An empty side comes as price 0 and size 0: absent, as in the replay formats.
  const bool no_bid = q.bid_price == 0 && q.bid_size == 0;
  const bool no_ask = q.ask_price == 0 && q.ask_size == 0;
  Tick t = Tick::quote(
      s.id, 0, no_bid ? kNaN : q.bid_price, static_cast<std::int32_t>(std::llround(q.bid_size)),
      no_ask ? kNaN : q.ask_price, static_cast<std::int32_t>(std::llround(q.ask_size)));
  emit(s, t, q.time_s, "quote");
}

void IbFeed::emit(Sym& s, Tick t, std::int64_t time_s, std::string_view what) {
  if (time_s < kMinTimeS || time_s > kMaxTimeS) {
    return reject(feed::RejectReason::kMalformed, s, fmt::format("{} time {}", what, time_s));
  }
  // Whole exchange seconds: the receipt time inside that second gives sub-second order.
  const TimestampNs sec = time_s * kNsPerSec;
  t.ts_ns = std::clamp(clock_.now_ns(), sec, sec + kNsPerSec - 1);
  if (auto r = feed::validate_tick(t)) {
    return reject(r->reason, s, fmt::format("{}: {}", what, r->message));
  }
  if (s.last_ts != 0 && t.ts_ns < s.last_ts - opts_.backwards_tolerance_ns) {
    return reject(feed::RejectReason::kTimeBackwards, s,
                  fmt::format("{} {} ns before the latest", what, s.last_ts - t.ts_ns));
  }
  s.last_ts = std::max(s.last_ts, t.ts_ns);
  if (pending_.size() >= opts_.max_pending) {
    ++ib_stats_.dropped;
    return;
  }
  if (t.kind == TickKind::kTrade) {
    ++ib_stats_.trades;
    s.last_price = t.price;
  } else {
    ++ib_stats_.quotes;
    if (!std::isnan(t.bid) && !std::isnan(t.ask) && s.last_price == 0) {
      s.last_price = (t.bid + t.ask) / 2;
    }
  }
  pending_.push_back(t);
  if (opts_.option_window > 0) maybe_roll(s, false);
}

void IbFeed::reject(feed::RejectReason r, const Sym& s, std::string_view detail) {
  ++stats_.rejected[static_cast<std::size_t>(r)];
  stats_.last_reject = fmt::format("tws {}: {}: {}", s.name, feed::reject_reason_name(r), detail);
  if (reject_log_.allow(clock_.mono_ns())) {
    log::warn(kTag, "rejected {} ({} similar suppressed)", stats_.last_reject,
              reject_log_.suppressed());
  }
}

// ---------------------------------------------------------------------------------------------
// Depth: counted and kept per venue, never turned into Ticks

void IbFeed::on_depth(SubId sub, const MarketDepth& d) {
  auto it = books_.find(sub);
  if (it == books_.end()) return;
  auto& side = d.side == DepthSide::kBid ? it->second.bids : it->second.asks;
  const auto pos = static_cast<std::size_t>(d.position);
  const bool bad_level =
      d.operation != DepthOperation::kDelete &&
      (!std::isfinite(d.price) || d.price <= 0 || std::isnan(d.size) || d.size < 0);
  if (d.position < 0 || d.position >= opts_.depth_rows || bad_level) {
    ++ib_stats_.depth_rejected;
    return;
  }
  switch (d.operation) {
    case DepthOperation::kInsert:
      if (pos > side.size()) {
        ++ib_stats_.depth_rejected;
        return;
      }
      side.insert(side.begin() + static_cast<std::ptrdiff_t>(pos), {d.price, d.size});
      if (side.size() > static_cast<std::size_t>(opts_.depth_rows)) side.pop_back();
      break;
    case DepthOperation::kUpdate:
      if (pos >= side.size()) {
        ++ib_stats_.depth_rejected;
        return;
      }
      side[pos] = {d.price, d.size};
      break;
    case DepthOperation::kDelete:
      if (pos >= side.size()) {
        ++ib_stats_.depth_rejected;
        return;
      }
      side.erase(side.begin() + static_cast<std::ptrdiff_t>(pos));
      break;
  }
  ++ib_stats_.depth_updates;
}

std::pair<double, double> IbFeed::depth_sizes(std::string_view sym) const {
  double bid = 0, ask = 0;
  for (const auto& [sub, book] : books_) {
    auto r = routes_.find(sub);
    if (r == routes_.end() || syms_[r->second.sym].name != sym) continue;
    for (const auto& [p, sz] : book.bids) bid += sz;
    for (const auto& [p, sz] : book.asks) ask += sz;
  }
  return {bid, ask};
}

void IbFeed::on_error(const ErrorMessage& e, SubId sub) {
  if (e.is_notice()) return;
  auto route = routes_.find(sub);
  if (route != routes_.end() && route->second.route == Route::kDepth) {
    if (e.code == 317) {  // depth reset: rebuild from the inserts that follow
      books_[sub] = Book{};
      ++ib_stats_.depth_resets;
      return;
    }
    if (e.code == 309) {  // over the account's depth limit: give this one up
      ++ib_stats_.depth_refused;
      log::warn(kTag, "depth {} refused (309: {}); dropped", syms_[route->second.sym].name,
                e.message);
      books_.erase(sub);
      routes_.erase(route);
      (void)conn_.unsubscribe(sub);
      return;
    }
  }
  // Option qualification that failed (200: no security definition).
  for (Sym& s : syms_) {
    for (auto& [k, o] : s.options) {
      if (o.details_req != 0 && o.details_req == e.id) {
        o.details_req = 0;
        ++ib_stats_.option_unqualified;
        return;
      }
    }
  }
  if (sub != kNoSub || e.code == 354 || e.code == 10089 || e.code == 10197) {
    ++ib_stats_.data_errors;
    if (error_log_.allow(clock_.mono_ns())) {
      log::warn(kTag, "data request {}: {} {}", e.id, e.code, e.message);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Option-chain telemetry

void IbFeed::request_underlying(Sym& s) {
  if (s.details_req != 0) return;
  const std::int32_t id = conn_.next_req_id();
  ContractDetailsRequest r{id, stock(s.name)};
  if (conn_.send(
          [&](const Encoder& e, std::string& out) { return e.req_contract_details(out, r); }))
    s.details_req = id;
}

void IbFeed::request_chain(Sym& s) {
  if (s.chain_req != 0 || s.con_id == 0) return;
  const std::int32_t id = conn_.next_req_id();
  SecDefOptParamsRequest r{id, s.name, "", "STK", s.con_id};
  if (conn_.send(
          [&](const Encoder& e, std::string& out) { return e.req_sec_def_opt_params(out, r); })) {
    s.chain_req = id;
    s.chain_exchange.clear();
    s.expirations.clear();
    s.strikes.clear();
  }
}

void IbFeed::qualify(Sym& s, OptionState& o) {
  if (o.details_req != 0 || o.line.con_id != 0) return;
  const std::int32_t id = conn_.next_req_id();
  Contract c;
  c.symbol = s.name;
  c.sec_type = "OPT";
  c.last_trade_date_or_contract_month = o.line.expiry;
  c.strike = o.line.strike;
  c.right = std::string(1, o.line.right);
  c.multiplier = "100";
  c.exchange = "SMART";
  c.currency = "USD";
  ContractDetailsRequest r{id, c};
  if (conn_.send(
          [&](const Encoder& e, std::string& out) { return e.req_contract_details(out, r); }))
    o.details_req = id;
}

IbFeed::Sym* IbFeed::sym_by_req(std::int32_t req_id, bool chain) {
  for (Sym& s : syms_) {
    if (req_id != 0 && (chain ? s.chain_req : s.details_req) == req_id) return &s;
  }
  return nullptr;
}

void IbFeed::on_details(const ContractDetails& d) {
  if (Sym* s = sym_by_req(d.req_id, false)) {
    if (d.contract.con_id <= 0 || d.contract.sec_type != "STK") return;
    s->con_id = d.contract.con_id;
    s->details_req = 0;
    request_chain(*s);
    return;
  }
  for (Sym& s : syms_) {
    for (auto& [k, o] : s.options) {
      if (o.details_req == 0 || o.details_req != d.req_id || d.contract.con_id <= 0) continue;
      o.details_req = 0;
      o.line.con_id = d.contract.con_id;
      ++ib_stats_.option_qualified;
      Subscription sub;
      sub.kind = SubKind::kMktData;
      sub.contract = d.contract;
      sub.contract.exchange = "SMART";
      sub.generic_ticks = opts_.option_generic_ticks;
      if (auto id = conn_.subscribe(sub)) {
        o.sub = *id;
        routes_[*id] = {Route::kOption, static_cast<std::size_t>(&s - syms_.data()), k};
      }
      return;
    }
  }
}

void IbFeed::on_chain(const SecDefOptParams& p) {
  Sym* s = sym_by_req(p.req_id, true);
  if (s == nullptr) return;
  // One message per (exchange, trading class): keep SMART with the symbol's own class.
  const bool better =
      s->chain_exchange.empty() || (p.exchange == "SMART" && p.trading_class == s->name);
  if (!better) return;
  s->chain_exchange = p.exchange;
  s->expirations = p.expirations;
  s->strikes.clear();
  for (double k : p.strikes) {
    if (std::isfinite(k) && k > 0) s->strikes.push_back(k);
  }
  std::sort(s->expirations.begin(), s->expirations.end());
  std::sort(s->strikes.begin(), s->strikes.end());
  s->strikes.erase(std::unique(s->strikes.begin(), s->strikes.end()), s->strikes.end());
}

void IbFeed::on_chain_end(std::int32_t req_id) {
  Sym* s = sym_by_req(req_id, true);
  if (s == nullptr) return;
  s->chain_req = 0;
  s->chain_done = true;
  ++ib_stats_.option_chains;
  maybe_roll(*s, true);
}

void IbFeed::maybe_roll(Sym& s, bool force) {
  if (!s.chain_done || s.strikes.empty() || s.last_price <= 0) return;
  const std::int64_t mono = clock_.mono_ns();
  if (!force && s.centre >= 0 && mono - s.last_roll_mono < opts_.roll_min_interval_ns) return;
  // The nearest expiry that has not passed (YYYYMMDD sorts as text).
  const std::string today = utc_date(clock_.now_ns());
  auto exp = std::lower_bound(s.expirations.begin(), s.expirations.end(), today);
  if (exp == s.expirations.end()) return;
  auto above = std::lower_bound(s.strikes.begin(), s.strikes.end(), s.last_price);
  auto idx = static_cast<int>(above - s.strikes.begin());
  if (above == s.strikes.end() ||
      (above != s.strikes.begin() && s.last_price - *(above - 1) < *above - s.last_price)) {
    --idx;
  }
  if (idx == s.centre && !s.options.empty() && s.options.begin()->second.line.expiry == *exp) {
    return;
  }
  if (s.centre >= 0) ++ib_stats_.option_rolls;
  s.centre = idx;
  s.last_roll_mono = mono;
  const int lo = std::max(0, idx - opts_.option_window);
  const int hi = std::min(static_cast<int>(s.strikes.size()) - 1, idx + opts_.option_window);
  std::map<OptionKey, OptionState> next;
  for (int i = lo; i <= hi; ++i) {
    for (char right : {'C', 'P'}) {
      OptionKey k{s.strikes[static_cast<std::size_t>(i)], right};
      auto old = s.options.find(k);
      if (old != s.options.end() && old->second.line.expiry == *exp) {
        next[k] = std::move(old->second);
        s.options.erase(old);
        continue;
      }
      OptionState o;
      o.line.expiry = *exp;
      o.line.strike = k.strike;
      o.line.right = right;
      next[k] = std::move(o);
    }
  }
  for (auto& [k, o] : s.options) {  // out of the window now
    if (o.sub != kNoSub) {
      routes_.erase(o.sub);
      (void)conn_.unsubscribe(o.sub);
    }
  }
  s.options = std::move(next);
  for (auto& [k, o] : s.options) qualify(s, o);
}

void IbFeed::on_greeks(const SubRoute& r, const TickOptionComputation& g) {
  Sym& s = syms_[r.sym];
  auto it = s.options.find(r.key);
  if (it == s.options.end()) return;
  OptionLine& l = it->second.line;
  const double iv = finite_or_nan(g.implied_vol);
  const double delta = finite_or_nan(g.delta);
  // Model greeks (13) are the ones kept; bid/ask/last computations only fill gaps.
  if ((std::isnan(iv) || iv < 0) && (std::isnan(delta) || std::fabs(delta) > 1)) {
    ++ib_stats_.greeks_rejected;
    return;
  }
  if (g.tick_type != 13 && g.tick_type != 83 && l.greeks_ns != 0) return;
  l.implied_vol = iv >= 0 ? iv : kUnset;
  l.delta = std::fabs(delta) <= 1 ? delta : kUnset;
  l.gamma = finite_or_nan(g.gamma);
  l.vega = finite_or_nan(g.vega);
  l.theta = finite_or_nan(g.theta);
  l.opt_price = finite_or_nan(g.opt_price);
  l.und_price = finite_or_nan(g.und_price);
  l.greeks_ns = clock_.now_ns();
  ++ib_stats_.greeks;
}

std::vector<OptionLine> IbFeed::option_lines(std::string_view sym) const {
  std::vector<OptionLine> out;
  for (const Sym& s : syms_) {
    if (s.name != sym) continue;
    for (const auto& [k, o] : s.options) out.push_back(o.line);
  }
  return out;
}

}  // namespace harrier::tws
