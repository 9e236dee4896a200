#include "roles/telemetry/stop_monitor.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "arrow/bar_codec.h"
#include "bus/bar_store.h"
#include "bus/keys.h"
#include "bus/state.h"
#include "core/text.h"

namespace harrier::roles::telemetry {

namespace {

constexpr std::string_view kTag = "stops";

// KEYS[1] = exit_fired:{sym}:{entry}, KEYS[2] = stream:exit_fire; ARGV[1] = value of the marker
// (trigger_ns), ARGV[2] = MAXLEN ~ cap, ARGV[3..] = the entry's field/value pairs.
// Returns 1 when the exit was published, 0 when this position's exit was published before.
constexpr std::string_view kFireOnce = R"lua(
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
return 1
)lua";

std::string num(double v) {
  std::string s;
  text::append_double(s, v);
  return s;
}

bool usable(double px) { return std::isfinite(px) && px > 0; }

// A price field of an HMGET reply; NaN when missing or not a usable price.
double price_of(const bus::ReplyView& r) {
  auto s = r.string_or_nil();
  if (!s || !*s) return kNaN;
  auto d = text::parse_double(**s);
  return d && usable(*d) ? *d : kNaN;
}

// Every reply of `batch` is ok, and an EXEC reply holds no error either. Names the command only
// when one failed.
Status check_batch_reply(const bus::CommandBatch& batch, std::size_t i, const bus::ReplyView r) {
  if (r.is_error()) return bus::check_reply(r, batch.describe(i));
  if (batch.argc(i) != 1 || std::string_view(batch.argv(i)[0], batch.argvlen(i)[0]) != "EXEC") {
    return ok();
  }
  if (r.is_nil()) return protocol_error("EXEC aborted");
  HARRIER_TRY(r.array());
  for (std::size_t j = 0; j < r.size(); ++j) HARRIER_TRY(bus::check_reply(r.at(j), "EXEC"));
  return ok();
}

}  // namespace

Result<StopConfig> stop_config(const Config& cfg) {
  StopConfig out;
  auto mode = risk::parse_stop_mode(cfg.stops.mode);
  if (!mode) return invalid_input("key 'stops.mode': " + mode.error().message());
  out.params.mode = *mode;
  out.params.trail_pct = cfg.stops.trail_pct;
  out.params.atr_mult = cfg.stops.atr_mult;
  auto iv = parse_interval(cfg.stops.atr_interval);
  if (!iv) return invalid_input("key 'stops.atr_interval': " + iv.error().message());
  out.atr_interval = *iv;
  out.atr_period = static_cast<int>(cfg.stops.atr_period);
  out.stream_maxlen = static_cast<std::size_t>(cfg.ingest.stream_maxlen);
  if (cfg.stops.trail_pct >= 100) return invalid_input("key 'stops.trail_pct': must be < 100");
  return out;
}

StopMonitor::StopMonitor(bus::Connection& conn, StopConfig cfg, StopMetrics metrics,
                         const Clock& wall)
    : conn_(conn), cfg_(cfg), m_(metrics), wall_(wall) {}

std::size_t StopMonitor::unfired() const {
  std::size_t n = 0;
  for (const auto& [sym, g] : guards_) n += g.fired ? 0 : 1;
  return n;
}

bool StopMonitor::fire_due() const {
  for (const auto& [sym, g] : guards_) {
    if (g.stop.triggered() && !g.fired) return true;
  }
  return false;
}

std::size_t StopMonitor::unstreamed() const {
  std::size_t n = 0;
  for (const auto& [sym, g] : guards_) n += !g.fired && !g.streamed ? 1 : 0;
  return n;
}

std::vector<std::string> StopMonitor::guarded_symbols() const {
  std::vector<std::string> out;
  for (const auto& [sym, g] : guards_) {
    if (!g.fired) out.push_back(sym);
  }
  return out;  // sorted: guards_ is a map
}

void StopMonitor::report_bad(const Error& e) {
  m_.bad_inputs->add();
  if (bad_log_.allow(wall_.mono_ns())) {
    log::warn(kTag, "skipped bad input ({} more suppressed): {}", bad_log_.suppressed(),
              e.to_string());
  }
}

void StopMonitor::update_gauges() { m_.stops_active->set(static_cast<double>(guards_.size())); }

Status StopMonitor::upsert_all(std::span<const Position> positions) {
  // A further fill of a guarded position: the stop carries on. The others (new positions, or
  // new ones replacing the last) resume or start their stop from stop:{sym} and
  // exit_fired:{sym}:{entry}, read for all of them in one round trip.
  std::vector<const Position*> fresh;
  for (const Position& p : positions) {
    auto it = guards_.find(p.sym);
    if (it != guards_.end() && it->second.pos.entry_order_id == p.entry_order_id &&
        (it->second.pos.qty > 0) == (p.qty > 0)) {
      it->second.pos = p;
      continue;
    }
    fresh.push_back(&p);
  }
  if (fresh.empty()) return ok();
  std::vector<std::string> keys;  // the batch borrows them
  keys.reserve(2 * fresh.size());
  bus::CommandBatch batch;
  for (const Position* p : fresh) {
    keys.push_back(bus::keys::stop_state(p->sym));
    batch.add({"HGETALL", keys.back()});
    keys.push_back(bus::keys::exit_fired(p->sym, p->entry_order_id));
    batch.add({"EXISTS", keys.back()});
  }
  std::vector<bus::Reply> replies;
  HARRIER_TRY(conn_.run(batch, replies));
  for (std::size_t i = 0; i < replies.size(); ++i) {
    HARRIER_TRY(bus::check_reply(replies[i].view(), batch.describe(i)));
  }
  for (std::size_t k = 0; k < fresh.size(); ++k) {
    const Position& p = *fresh[k];
    HARRIER_ASSIGN_OR_RETURN(bus::Fields saved, hash_fields(replies[2 * k].view()));
    HARRIER_ASSIGN_OR_RETURN(std::int64_t fired, replies[2 * k + 1].integer());
    double best = kNaN, stop = kNaN;
    std::string saved_id;
    for (const auto& [f, v] : saved) {
      if (f == "entry_order_id") saved_id = v;
      if (f == "best_price") best = text::parse_double(v).value_or(kNaN);
      if (f == "stop_price") stop = text::parse_double(v).value_or(kNaN);
    }
    const bool resumed = saved_id == p.entry_order_id;
    auto ts = resumed ? risk::TrailingStop::restore(p.qty, p.avg_price, best, stop, cfg_.params)
                      : risk::TrailingStop::open(p.qty, p.avg_price, cfg_.params);
    if (!ts) return Error(ts.error()).with_context(bus::keys::position(p.sym));
    guards_.erase(p.sym);
    Guard g{p, std::move(*ts)};
    g.fired = fired != 0;
    log::info(kTag, "guarding {} qty={} entry={} avg_price={} best={} stop={} mode={} ({}{})",
              p.sym, p.qty, p.entry_order_id, p.avg_price, g.stop.best_price(), g.stop.stop_price(),
              risk::stop_mode_name(cfg_.params.mode), resumed ? "resumed from stop:" : "new",
              resumed ? p.sym : "");
    if (g.fired) log::info(kTag, "{}: exit already fired for {}", p.sym, p.entry_order_id);
    guards_.emplace(p.sym, std::move(g));
  }
  update_gauges();
  return ok();
}

Status StopMonitor::drop(const std::string& sym) {
  auto it = guards_.find(sym);
  if (it == guards_.end()) return ok();
  log::info(kTag, "{} flat: stop for {} dropped", sym, it->second.pos.entry_order_id);
  guards_.erase(it);
  update_gauges();
  HARRIER_TRY(conn_.command({"DEL", bus::keys::stop_state(sym)}));
  return ok();
}

Status StopMonitor::sync(const PositionRead& positions) {
  for (const auto& [sym, err] : positions.bad) report_bad(err);
  std::vector<Position> open;
  open.reserve(positions.open.size());
  for (const auto& [sym, p] : positions.open) open.push_back(p);
  HARRIER_TRY(upsert_all(open));
  std::vector<std::string> flat;
  for (const auto& [sym, g] : guards_) {
    if (positions.open.count(sym) != 0) continue;
    bool unknown = false;  // a hash that failed validation: keep guarding what we knew
    for (const auto& [bad_sym, err] : positions.bad) unknown = unknown || bad_sym == sym;
    if (!unknown) flat.push_back(sym);
  }
  for (const std::string& sym : flat) HARRIER_TRY(drop(sym));
  return save();
}

Status StopMonitor::sync_all() {
  HARRIER_ASSIGN_OR_RETURN(PositionRead positions, read_positions(conn_));
  return sync(positions);
}

Status StopMonitor::on_entries(std::span<const std::string> syms) {
  if (syms.empty()) return ok();
  std::vector<std::string> keys;
  keys.reserve(syms.size());
  for (const std::string& sym : syms) keys.push_back(bus::keys::position(sym));
  auto hashes = bus::read_hashes(conn_, keys);
  std::vector<Position> open;
  std::vector<std::string> flat;
  for (std::size_t i = 0; i < syms.size(); ++i) {
    if (!hashes[i]) return std::move(hashes[i]).error();
    if (!*hashes[i]) {
      // P2 publishes entry_fire and writes position:{sym}; if the position is not there yet,
      // the next 1 Hz scan picks it up.
      log::debug(kTag, "{}: entry_fire before position:{}", syms[i], syms[i]);
      continue;
    }
    auto p = parse_position(syms[i], **hashes[i]);
    if (!p) {
      report_bad(p.error());
    } else if (!*p) {
      flat.push_back(syms[i]);
    } else {
      open.push_back(std::move(**p));
    }
  }
  for (const std::string& sym : flat) HARRIER_TRY(drop(sym));
  HARRIER_TRY(upsert_all(open));
  return save();
}

bool StopMonitor::apply_quote(const bus::QuoteEvent& q, TimestampNs read_wall_ns) {
  auto it = guards_.find(q.sym);
  if (it == guards_.end() || it->second.fired) return false;
  Guard& g = it->second;
  g.streamed = true;
  // The entry's earlier changes first, oldest first, then its newest: every price counts (a
  // dip that P1 published between two entries' newest prices may be the one that crosses).
  for (const bus::QuotePoint& p : q.path) apply_point(g, p, read_wall_ns);
  apply_point(g, q.point(), read_wall_ns);
  return true;
}

void StopMonitor::apply_point(Guard& g, const bus::QuotePoint& p, TimestampNs read_wall_ns) {
  if (p.ts_ns < g.last_quote_ts) return;  // older than one applied (a redelivery)
  g.last_quote_ts = p.ts_ns;
  m_.quotes_polled->add();
  apply_price(g, g.stop.is_long() ? p.bid : p.ask, p.last, p.ts_ns, read_wall_ns);
}

void StopMonitor::apply_price(Guard& g, double side, double last, TimestampNs ts,
                              TimestampNs read_wall_ns) {
  const double px = usable(side) ? side : last;
  if (!usable(px)) return;  // a quote without a usable price on our side
  g.last_price = px;
  const double best = g.stop.best_price(), stop = g.stop.stop_price();
  if (g.stop.on_price(px)) {
    g.trigger_ns = ts;
    g.seen_wall_ns = read_wall_ns;
    g.quote_triggered = true;
  }
  g.dirty = g.dirty || best != g.stop.best_price() || stop != g.stop.stop_price();
}

Status StopMonitor::poll_quotes() {
  std::vector<std::string> syms, keys;
  for (const auto& [sym, g] : guards_) {
    if (!g.fired) syms.push_back(sym);
  }
  if (syms.empty()) return ok();
  keys.reserve(syms.size());
  bus::CommandBatch batch;
  for (const std::string& s : syms) keys.push_back(bus::keys::quote(s));
  for (const std::string& k : keys) batch.add({"HMGET", k, "bid", "ask", "last", "ts_ns"});
  std::vector<bus::Reply> replies;
  HARRIER_TRY(conn_.run(batch, replies));
  const TimestampNs seen_wall = wall_.now_ns();
  for (std::size_t i = 0; i < syms.size(); ++i) {
    const bus::ReplyView r = replies[i].view();
    if (auto s = bus::check_reply(r, batch.describe(i)); !s) {
      report_bad(s.error());
      continue;
    }
    if (!r.array() || r.size() != 4) {
      report_bad(protocol_error(keys[i] + ": HMGET reply is not 4 items"));
      continue;
    }
    auto ts_text = r.at(3).string_or_nil();
    if (!ts_text || !*ts_text) continue;  // no quote yet
    auto ts = text::parse_int(**ts_text);
    if (!ts || *ts <= 0) {
      report_bad(invalid_input(keys[i] + ": field 'ts_ns' is not a positive integer"));
      continue;
    }
    Guard& g = guards_.find(syms[i])->second;
    if (*ts <= g.last_quote_ts) continue;  // nothing newer than what was applied
    g.last_quote_ts = *ts;
    m_.quotes_polled->add();
    const bool was_triggered = g.stop.triggered();
    apply_price(g, price_of(r.at(g.stop.is_long() ? 0 : 1)), price_of(r.at(2)), *ts, seen_wall);
    if (!was_triggered && g.stop.triggered()) m_.hits_by_poll->add();
  }
  HARRIER_TRY(fire_pending());
  return save();
}

Status StopMonitor::fire_pending() {
  std::vector<std::pair<const std::string*, Guard*>> due;
  for (auto& [sym, g] : guards_) {
    if (g.stop.triggered() && !g.fired) due.emplace_back(&sym, &g);
  }
  if (due.empty()) return ok();
  // Every due exit in one round trip, each its own script call (so each is still published at
  // most once): a read that crosses several stops, or a burst of new stops caught up at once,
  // does not wait a round trip per stop.
  struct Text {
    bus::Fields fields;
    std::string fired_key, trigger;
  };
  std::vector<Text> text(due.size());  // the batch borrows it
  const std::string maxlen = std::to_string(cfg_.stream_maxlen);
  bus::CommandBatch batch;
  for (std::size_t i = 0; i < due.size(); ++i) {
    const auto& [sym, g] = due[i];
    Text& t = text[i];
    t.fields =
        bus::encode(bus::ExitFireEvent{*sym, "trailing_stop", g->stop.stop_price(), g->trigger_ns});
    t.fired_key = bus::keys::exit_fired(*sym, g->pos.entry_order_id);
    t.trigger = std::to_string(g->trigger_ns);
    batch.begin();
    for (std::string_view a :
         {std::string_view("EVAL"), kFireOnce, std::string_view("2"), std::string_view(t.fired_key),
          bus::keys::stream_name(bus::keys::Stream::kExitFire), std::string_view(t.trigger),
          std::string_view(maxlen)}) {
      batch.arg(a);
    }
    for (const auto& [k, v] : t.fields) {
      batch.arg(k);
      batch.arg(v);
    }
  }
  std::vector<bus::Reply> replies;
  const Status run = conn_.run(batch, replies);
  const TimestampNs now = wall_.now_ns();
  Status first = ok();  // the first failure; its stop (and any not answered) stays due
  for (std::size_t i = 0; i < due.size(); ++i) {
    const auto& [sym, g] = due[i];
    Result<std::int64_t> published = protocol_error("fire: reply missing");
    if (i >= replies.size()) {
      if (!run) published = run.error();
    } else if (Status st = bus::check_reply(replies[i].view(), batch.describe(i)); !st) {
      published = std::move(st).error();
    } else {
      published = replies[i].integer();
    }
    if (!published) {
      if (first) first = std::move(published).error();
      continue;
    }
    g->fired = true;
    g->dirty = true;
    if (*published == 1) {
      m_.exits_fired->add();
      m_.stop_to_exit->record(now - g->seen_wall_ns);
      // Only for live-like feeds: a replay of a past day has quote times far from the wall
      // clock.
      const DurationNs since_quote = now - g->trigger_ns;
      if (g->quote_triggered && since_quote >= 0 && since_quote <= 60 * kNsPerSec) {
        m_.quote_to_fire->record(since_quote);
      }
      log::warn(
          kTag, "{}: trailing stop hit at {} (stop {}, best {}, entry {}): exit_fire published",
          *sym, g->last_price, g->stop.stop_price(), g->stop.best_price(), g->pos.entry_order_id);
    } else {
      log::info(kTag, "{}: exit for {} was published before; not again", *sym,
                g->pos.entry_order_id);
    }
  }
  return first;
}

Status StopMonitor::refresh_atr() {
  if (cfg_.params.mode != risk::StopMode::kAtr) return ok();
  std::string bytes;
  for (auto& [sym, g] : guards_) {
    if (g.fired) continue;
    HARRIER_ASSIGN_OR_RETURN(bool found,
                             bus::read_interval_into(conn_, sym, cfg_.atr_interval, bytes));
    if (!found) continue;  // no bars yet: the percent fallback guards meanwhile
    auto bars = arrow::decode_bars(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    if (!bars) {
      report_bad(Error(bars.error()).with_context(bus::keys::bars(sym, cfg_.atr_interval)));
      continue;
    }
    auto atr = risk::wilder_atr(*bars, cfg_.atr_period);
    if (!atr) continue;
    const double stop = g.stop.stop_price();
    g.stop.set_atr(*atr);
    g.dirty = g.dirty || stop != g.stop.stop_price();
  }
  return ok();
}

Status StopMonitor::recheck() {
  for (auto& [sym, g] : guards_) {
    if (g.fired || g.stop.triggered() || std::isnan(g.last_price)) continue;
    if (g.stop.on_price(g.last_price)) {
      g.trigger_ns = g.last_quote_ts;
      g.seen_wall_ns = wall_.now_ns();
      g.quote_triggered = false;
      g.dirty = true;
    }
  }
  HARRIER_TRY(fire_pending());
  return save();
}

Status StopMonitor::save() {
  bus::CommandBatch batch;
  stage_save(batch);
  if (batch.size() == 0) return ok();
  std::vector<bus::Reply> replies;
  Status st = conn_.run(batch, replies);
  Status done = finish_save(batch, replies);
  return st ? done : st;
}

void StopMonitor::stage_save(bus::CommandBatch& batch) {
  staged_ = {};
  staged_.first = batch.size();
  staged_.key = bus::keys::stops_guarded();
  for (auto& [sym, g] : guards_) {
    if (!g.dirty) continue;
    staged_.text.push_back({bus::keys::stop_state(sym), g.pos.entry_order_id,
                            num(g.stop.best_price()), num(g.stop.stop_price()),
                            std::string(risk::stop_mode_name(cfg_.params.mode)),
                            std::to_string(wall_.now_ns())});
    staged_.syms.push_back(sym);
  }
  for (const auto& t : staged_.text) {
    batch.add({"HSET", t[0], "entry_order_id", t[1], "best_price", t[2], "stop_price", t[3], "mode",
               t[4], "updated_ns", t[5]});
  }
  // stops:guarded: replaced whole the first time (and after a failure), else the difference.
  staged_.want = guarded_symbols();
  if (!guarded_known_) {
    batch.add({"MULTI"});
    batch.add({"DEL", staged_.key});
    staged_.add = staged_.want;
  } else {
    std::set_difference(staged_.want.begin(), staged_.want.end(), guarded_published_.begin(),
                        guarded_published_.end(), std::back_inserter(staged_.add));
    std::set_difference(guarded_published_.begin(), guarded_published_.end(), staged_.want.begin(),
                        staged_.want.end(), std::back_inserter(staged_.remove));
  }
  for (auto [verb, syms] : {std::pair{"SADD", &staged_.add}, std::pair{"SREM", &staged_.remove}}) {
    if (syms->empty()) continue;
    batch.begin();
    batch.arg(verb);
    batch.arg(staged_.key);
    for (const std::string& s : *syms) batch.arg(s);
  }
  if (!guarded_known_) batch.add({"EXEC"});
  staged_.count = batch.size() - staged_.first;
}

Status StopMonitor::finish_save(const bus::CommandBatch& batch,
                                std::span<const bus::Reply> replies) {
  const std::size_t first = staged_.first, count = staged_.count;
  if (count == 0) return ok();
  staged_.count = 0;
  Status st = ok();
  if (replies.size() < first + count) {
    st = unavailable("stop:{sym} and stops:guarded: no reply");
  } else {
    for (std::size_t i = first; i < first + count && st; ++i) {
      st = check_batch_reply(batch, i, replies[i].view());
    }
  }
  if (!st) {
    guarded_known_ = false;  // in an unknown state: replace it whole next time
    return st;
  }
  for (const std::string& sym : staged_.syms) {
    if (auto it = guards_.find(sym); it != guards_.end()) it->second.dirty = false;
  }
  guarded_published_ = std::move(staged_.want);
  guarded_known_ = true;
  return ok();
}

Status StopMonitor::assert_guarded() {
  if (!guarded_known_) return save();
  if (guarded_published_.empty()) return ok();
  const std::string key = bus::keys::stops_guarded();
  std::vector<std::string_view> args = {"SADD", key};
  for (const std::string& s : guarded_published_) args.push_back(s);
  if (auto r = conn_.command(args); !r) {
    guarded_known_ = false;
    return std::move(r).error();
  }
  return ok();
}

}  // namespace harrier::roles::telemetry
