#include "roles/execute/order_store.h"

#include <cmath>

#include "bus/keys.h"
#include "bus/state.h"
#include "bus/streams.h"
#include "core/text.h"

namespace harrier::roles::execute {
namespace {

std::string num(double v) {
  std::string s;
  text::append_double(s, v);
  return s;
}
std::string num(std::int64_t v) { return std::to_string(v); }

// KEYS[1] = paper:positions, ARGV = sym, delta. Returns the new holding; deletes it at 0.
constexpr std::string_view kAccountAdd = R"lua(
local v = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if v == 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return v
)lua";

// The writes of a run of broker events (write_events). KEYS: every key touched, once each.
// ARGV[1] = number of events, then per event its number of steps, then per step: name, index
// into KEYS, number of arguments, arguments. Steps: hsetxx (HSET on an existing hash), hset,
// del, acct (the paper account: HINCRBY field delta, HDEL at 0), xadd (arguments after the
// key). Every step of an event is checked before any is written. Returns {events written} or,
// at the first event that cannot be written, {events written, its failing step (1-based), the
// error text} (NOTFOUND for hsetxx on a missing key).
constexpr std::string_view kWriteEvents = R"lua(
local pos = 2
local function take() pos = pos + 1; return ARGV[pos - 1] end
local kWrongType = 'WRONGTYPE Operation against a key holding the wrong kind of value'
local n = tonumber(ARGV[1])
for e = 1, n do
  local steps = {}
  for s = 1, tonumber(take()) do
    local name, key, args = take(), KEYS[tonumber(take())], {}
    for a = 1, tonumber(take()) do args[a] = take() end
    steps[s] = {name, key, args}
  end
  local deleted = {}
  for s, st in ipairs(steps) do
    local name, key, args = st[1], st[2], st[3]
    local t = deleted[key] and 'none' or redis.call('TYPE', key)['ok']
    if name == 'del' then
      deleted[key] = true
    elseif name == 'xadd' then
      if t ~= 'none' and t ~= 'stream' then return {e - 1, s, kWrongType} end
    else
      if name == 'hsetxx' and t == 'none' then return {e - 1, s, 'NOTFOUND'} end
      if t ~= 'none' and t ~= 'hash' then return {e - 1, s, kWrongType} end
      if name == 'acct' then
        local v = redis.call('HGET', key, args[1])
        if v and not string.match(v, '^-?%d+$') then
          return {e - 1, s, 'ERR hash value is not an integer'}
        end
      end
    end
  end
  for s, st in ipairs(steps) do
    local name, key, args = st[1], st[2], st[3]
    local r
    if name == 'hsetxx' or name == 'hset' then
      r = redis.pcall('HSET', key, unpack(args))
    elseif name == 'del' then
      r = redis.pcall('DEL', key)
    elseif name == 'acct' then
      r = redis.pcall('HINCRBY', key, args[1], args[2])
      if r == 0 then r = redis.pcall('HDEL', key, args[1]) end
    elseif name == 'xadd' then
      r = redis.pcall('XADD', key, unpack(args))
    else
      return {e - 1, s, 'ERR unknown step ' .. tostring(name)}
    end
    if type(r) == 'table' and r['err'] then return {e - 1, s, r['err']} end
  end
end
return {n}
)lua";

Result<double> double_field(const bus::Fields& f, std::string_view name) {
  auto v = field(f, name);
  if (!v) return invalid_input("field '" + std::string(name) + "' is missing");
  auto d = text::parse_double(*v);
  if (!d || !std::isfinite(*d)) {
    return invalid_input("field '" + std::string(name) + "' is not a number: '" +
                         std::string(v->substr(0, 40)) + "'");
  }
  return *d;
}

Result<std::int64_t> int_field(const bus::Fields& f, std::string_view name) {
  auto v = field(f, name);
  if (!v) return invalid_input("field '" + std::string(name) + "' is missing");
  auto i = text::parse_int(*v);
  if (!i) {
    return invalid_input("field '" + std::string(name) + "' is not an integer: '" +
                         std::string(v->substr(0, 40)) + "'");
  }
  return *i;
}

}  // namespace

Result<std::optional<strategy::Quote>> parse_quote(const std::optional<bus::Fields>& f,
                                                   const std::string& key) {
  if (!f) return std::optional<strategy::Quote>();
  strategy::Quote q;
  auto ctx = [&](Error e) { return std::move(e).with_context(key); };
  auto get = [&](std::string_view name, double& out) -> Status {
    auto v = field(*f, name);
    auto d = v ? text::parse_double(*v) : std::nullopt;
    if (!d) return invalid_input("field '" + std::string(name) + "' is missing or not a number");
    out = *d;
    return ok();
  };
  for (auto [name, out] :
       {std::pair{"bid", &q.bid}, std::pair{"ask", &q.ask}, std::pair{"bid_size", &q.bid_size},
        std::pair{"ask_size", &q.ask_size}, std::pair{"last", &q.last}}) {
    if (auto st = get(name, *out); !st) return ctx(std::move(st).error());
  }
  auto ts = int_field(*f, "ts_ns");
  if (!ts) return ctx(std::move(ts).error());
  q.ts_ns = *ts;
  return std::optional<strategy::Quote>(q);
}

std::optional<std::string_view> field(const bus::Fields& f, std::string_view name) {
  for (const auto& [k, v] : f) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

bus::Fields new_order_fields(const broker::OrderRequest& o, Purpose purpose,
                             std::string_view strategy, Interval iv, TimestampNs bar_start_ns,
                             TimestampNs now_ns) {
  return {{"sym", o.sym},
          {"side", std::string(side_name(o.side))},
          {"qty", num(o.qty)},
          {"type", std::string(strategy::order_type_name(o.type))},
          {"limit_price", num(o.type == strategy::OrderType::kLimit ? o.limit_price : 0.0)},
          {"purpose", std::string(purpose_name(purpose))},
          {"strategy", std::string(strategy)},
          {"iv", std::string(interval_name(iv))},
          {"bar_start_ns", num(bar_start_ns)},
          {"state", "new"},
          {"filled_qty", "0"},
          {"avg_fill_price", "0"},
          {"created_ns", num(now_ns)},
          {"updated_ns", num(now_ns)}};
}

bus::Fields position_fields(const PositionRecord& p) {
  return {{"qty", num(p.qty)},
          {"avg_price", num(p.avg_price)},
          {"entry_order_id", p.entry_order_id},
          {"opened_ns", num(p.opened_ns)},
          {"updated_ns", num(p.updated_ns)}};
}

Result<PositionRecord> parse_position(const bus::Fields& f) {
  PositionRecord p;
  HARRIER_ASSIGN_OR_RETURN(p.qty, int_field(f, "qty"));
  HARRIER_ASSIGN_OR_RETURN(p.avg_price, double_field(f, "avg_price"));
  p.entry_order_id = std::string(field(f, "entry_order_id").value_or(""));
  HARRIER_ASSIGN_OR_RETURN(p.opened_ns, int_field(f, "opened_ns"));
  p.updated_ns = text::parse_int(field(f, "updated_ns").value_or("")).value_or(0);
  return p;
}

bus::Fields engine_fields(const EngineRecord& e) {
  return {{"last_decision", e.last_decision},
          {"last_bar_ns", num(e.last_bar_ns)},
          {"halted", e.halted ? "1" : "0"},
          {"halt_reason", e.halt_reason},
          {"updated_ns", num(e.updated_ns)}};
}

EngineRecord parse_engine(const bus::Fields& f) {
  EngineRecord e;
  e.last_decision = std::string(field(f, "last_decision").value_or(""));
  e.last_bar_ns = text::parse_int(field(f, "last_bar_ns").value_or("")).value_or(0);
  e.halted = field(f, "halted").value_or("0") == "1";
  e.halt_reason = std::string(field(f, "halt_reason").value_or(""));
  e.updated_ns = text::parse_int(field(f, "updated_ns").value_or("")).value_or(0);
  return e;
}

Result<std::optional<strategy::Quote>> read_quote(bus::Connection& c, std::string_view sym) {
  const std::string key = bus::keys::quote(sym);
  HARRIER_ASSIGN_OR_RETURN(std::optional<bus::Fields> f, bus::read_hash(c, key));
  return parse_quote(f, key);
}

std::vector<Result<std::optional<strategy::Quote>>> read_quotes(bus::Connection& c,
                                                                std::span<const std::string> syms) {
  std::vector<std::string> keys;
  keys.reserve(syms.size());
  for (const std::string& sym : syms) keys.push_back(bus::keys::quote(sym));
  auto hashes = bus::read_hashes(c, keys);
  std::vector<Result<std::optional<strategy::Quote>>> out;
  out.reserve(syms.size());
  for (std::size_t i = 0; i < syms.size(); ++i) {
    if (!hashes[i]) {
      out.emplace_back(std::move(hashes[i]).error());
    } else {
      out.push_back(parse_quote(*hashes[i], keys[i]));
    }
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> read_paper_account(bus::Connection& c) {
  const std::string key = bus::keys::paper_positions();
  HARRIER_ASSIGN_OR_RETURN(std::optional<bus::Fields> f, bus::read_hash(c, key));
  std::vector<std::pair<std::string, std::int64_t>> out;
  if (!f) return out;
  for (const auto& [sym, v] : *f) {
    auto q = text::parse_int(v);
    if (!q) return invalid_input(key + ": symbol '" + sym + "' holds '" + v + "', not an integer");
    out.emplace_back(sym, *q);
  }
  return out;
}

Result<std::int64_t> read_paper_position(bus::Connection& c, std::string_view sym) {
  const std::string key = bus::keys::paper_positions();
  HARRIER_ASSIGN_OR_RETURN(bus::Reply r, c.command({"HGET", key, sym}));
  auto v = bus::copy_string_or_nil(r.view());
  if (!v) return std::move(v).error().with_context("HGET " + key);
  if (!*v) return std::int64_t{0};
  auto q = text::parse_int(**v);
  if (!q) return invalid_input(key + ": symbol '" + std::string(sym) + "' is not an integer");
  return *q;
}

namespace {

// The texts a fill writes, for write_fill's MULTI/EXEC and write_events' script alike: the
// account delta, order:{id}'s new state, position:{sym} (no fields when flat), and an entry's
// entry_fire entry (no fields for an exit).
struct FillTexts {
  explicit FillTexts(const FillWrite& w) {
    const broker::OrderEvent& e = *w.event;
    delta = num(e.side == Side::kBuy ? e.fill_qty : -e.fill_qty);
    order_key = bus::keys::order(e.client_order_id);
    state = broker::event_kind_name(e.kind);
    filled = num(e.cum_qty);
    avg = num(e.avg_price);
    now = num(w.now_ns);
    position_key = bus::keys::position(e.sym);
    maxlen = std::to_string(w.stream_maxlen);
    if (w.position && w.position->qty != 0) position = position_fields(*w.position);
    if (w.purpose == Purpose::kEntry) {
      entry_fire = bus::encode(
          bus::EntryFireEvent{e.sym, e.side, e.fill_qty, e.fill_price, e.client_order_id, e.ts_ns});
    }
  }
  std::string delta, order_key, state, filled, avg, now, position_key, maxlen;
  bus::Fields position, entry_fire;
};

}  // namespace

Status write_fill(bus::Connection& c, const FillWrite& w) {
  const broker::OrderEvent& e = *w.event;
  // Every string a command borrows lives here until the batch has run.
  const std::string account_key = bus::keys::paper_positions();
  const FillTexts t(w);

  bus::CommandBatch b;
  b.add({"MULTI"});
  if (w.paper_account) b.add({"EVAL", kAccountAdd, "1", account_key, e.sym, t.delta});
  b.add({"HSET", t.order_key, "state", t.state, "filled_qty", t.filled, "avg_fill_price", t.avg,
         "updated_ns", t.now});
  if (w.position) {
    b.add({"DEL", t.position_key});
    if (!t.position.empty()) {
      b.begin();
      b.arg("HSET");
      b.arg(t.position_key);
      for (const auto& [k, v] : t.position) {
        b.arg(k);
        b.arg(v);
      }
    }
  }
  if (!t.entry_fire.empty()) {
    b.begin();
    for (std::string_view a :
         {std::string_view("XADD"), bus::keys::stream_name(bus::keys::Stream::kEntryFire),
          std::string_view("MAXLEN"), std::string_view("~"), std::string_view(t.maxlen),
          std::string_view("*")}) {
      b.arg(a);
    }
    for (const auto& [k, v] : t.entry_fire) {
      b.arg(k);
      b.arg(v);
    }
  }
  b.add({"EXEC"});
  std::vector<bus::Reply> replies;
  HARRIER_TRY(c.run(b, replies));
  for (std::size_t i = 0; i < replies.size(); ++i) {
    HARRIER_TRY(bus::check_reply(replies[i].view(), b.describe(i)));
  }
  const bus::Reply& exec = replies.back();
  if (auto s = exec.array(); !s) return Error(s.error()).with_context("EXEC fill " + t.order_key);
  for (std::size_t i = 0; i < exec.size(); ++i) {
    HARRIER_TRY(bus::check_reply(exec.at(i), b.describe(i + 1)));
  }
  return ok();
}

namespace {

// Builds write_events' script call: the keys (each once) and the arguments it owns.
class EventScript {
 public:
  // Starts an event of `steps` steps.
  void event(std::size_t steps) {
    argv_.push_back(std::to_string(steps));
    ++events_;
  }
  // A step: its name, key, and the arguments after the key. Returns its description for
  // messages ("HSET order:X").
  void step(std::string_view name, const std::string& key,
            std::initializer_list<std::string_view> args, const bus::Fields* pairs = nullptr) {
    argv_.emplace_back(name);
    argv_.push_back(std::to_string(key_index(key)));
    argv_.push_back(std::to_string(args.size() + (pairs ? 2 * pairs->size() : 0)));
    for (std::string_view a : args) argv_.emplace_back(a);
    if (pairs) {
      for (const auto& [k, v] : *pairs) {
        argv_.push_back(k);
        argv_.push_back(v);
      }
    }
  }
  std::size_t events() const { return events_; }

  // Appends the EVAL to `b`, which borrows from this script until it has run.
  void append(bus::CommandBatch& b) {
    nkeys_ = std::to_string(keys_.size());
    nevents_ = std::to_string(events_);
    b.begin();
    for (std::string_view a : {std::string_view("EVAL"), kWriteEvents, std::string_view(nkeys_)}) {
      b.arg(a);
    }
    for (const std::string& k : keys_) b.arg(k);
    b.arg(nevents_);
    for (const std::string& a : argv_) b.arg(a);
  }

 private:
  std::size_t key_index(const std::string& key) {  // 1-based, as KEYS in Lua
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] == key) return i + 1;
    }
    keys_.push_back(key);
    return keys_.size();
  }

  std::vector<std::string> keys_;
  std::vector<std::string> argv_;
  std::size_t events_ = 0;
  std::string nkeys_, nevents_;
};

// An error text from the script as check_reply would report the same reply of `what`.
Error step_error(std::string_view text, const std::string& what) {
  std::string msg = "redis " + what + ": " + std::string(text.substr(0, 400));
  const std::string_view word = text.substr(0, text.find(' '));
  for (std::string_view transient : {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"}) {
    if (word == transient) return unavailable(std::move(msg));
  }
  return invalid_input(std::move(msg));
}

}  // namespace

struct EventsCall::Impl {
  EventScript script;
  // what[i][s]: step s of event i described for messages.
  std::vector<std::vector<std::string>> what;
  std::size_t events = 0;
  std::vector<bool> is_fill;
};

EventsCall::EventsCall(std::span<const EventWrite> events) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.events = events.size();
  m.what.resize(events.size());
  const std::string account_key = bus::keys::paper_positions();
  const std::string entry_fire_key(bus::keys::stream_name(bus::keys::Stream::kEntryFire));
  EventScript& script = m.script;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const EventWrite& ew = events[i];
    auto& w = m.what[i];
    m.is_fill.push_back(ew.fill.has_value());
    if (!ew.fill) {
      const std::string key = bus::keys::order(ew.client_order_id);
      script.event(1);
      script.step("hsetxx", key, {}, &ew.fields);
      w.push_back(key);  // update_order's kNotFound names the key alone
      continue;
    }
    const FillWrite& f = *ew.fill;
    const broker::OrderEvent& e = *f.event;
    const FillTexts t(f);
    script.event((f.paper_account ? 1 : 0) + 1 + (f.position ? 1 : 0) +
                 (t.position.empty() ? 0 : 1) + (t.entry_fire.empty() ? 0 : 1));
    if (f.paper_account) {
      script.step("acct", account_key, {e.sym, t.delta});
      w.push_back("EVAL " + account_key);
    }
    script.step(
        "hset", t.order_key,
        {"state", t.state, "filled_qty", t.filled, "avg_fill_price", t.avg, "updated_ns", t.now});
    w.push_back("HSET " + t.order_key);
    if (f.position) {
      script.step("del", t.position_key, {});
      w.push_back("DEL " + t.position_key);
      if (!t.position.empty()) {
        script.step("hset", t.position_key, {}, &t.position);
        w.push_back("HSET " + t.position_key);
      }
    }
    if (!t.entry_fire.empty()) {
      script.step("xadd", entry_fire_key, {"MAXLEN", "~", t.maxlen, "*"}, &t.entry_fire);
      w.push_back("XADD " + entry_fire_key);
    }
  }
}

EventsCall::~EventsCall() = default;
EventsCall::EventsCall(EventsCall&&) noexcept = default;
EventsCall& EventsCall::operator=(EventsCall&&) noexcept = default;

void EventsCall::append(bus::CommandBatch& b) { impl_->script.append(b); }

EventsWritten EventsCall::result(const Result<bus::ReplyView>& reply) const {
  const Impl& m = *impl_;
  EventsWritten out;
  if (m.events == 0) return out;
  if (!reply) {
    out.error = reply.error();
    return out;
  }
  if (auto st = bus::check_reply(*reply, "EVAL write_events"); !st) {
    out.error = std::move(st).error();
    return out;
  }
  const bus::ReplyView& r = *reply;
  auto bad = [&](std::string_view why) {
    out.written = 0;
    out.error = protocol_error("EVAL write_events: " + std::string(why));
    return out;
  };
  if (auto a = r.array(); !a || r.size() == 0) return bad("reply is not an array");
  auto n = r.at(0).integer();
  if (!n || *n < 0 || static_cast<std::size_t>(*n) > m.events) return bad("bad event count");
  out.written = static_cast<std::size_t>(*n);
  if (r.size() == 1) {
    if (out.written != m.events) return bad("stopped without an error");
    return out;
  }
  auto step = r.size() == 3 ? r.at(1).integer() : Result<std::int64_t>(std::int64_t{0});
  auto text = r.size() == 3 ? r.at(2).string() : Result<std::string_view>(std::string_view());
  const auto& steps = out.written < m.events ? m.what[out.written] : m.what.back();
  if (!step || !text || out.written == m.events || *step < 1 ||
      static_cast<std::size_t>(*step) > steps.size()) {
    return bad("bad failure report");
  }
  const std::string& failed = steps[static_cast<std::size_t>(*step - 1)];
  if (*text == "NOTFOUND") {
    out.error = not_found(failed + ": no such order");
  } else {
    out.error = step_error(*text, m.is_fill[out.written] ? failed : "EVAL " + failed);
  }
  return out;
}

EventsWritten write_events(bus::Connection& c, std::span<const EventWrite> events) {
  if (events.empty()) return EventsWritten{};
  EventsCall call(events);
  bus::CommandBatch b;
  call.append(b);
  std::vector<bus::Reply> replies;
  if (auto st = c.run(b, replies); !st) return call.result(std::move(st).error());
  return call.result(replies[0].view());
}

}  // namespace harrier::roles::execute
