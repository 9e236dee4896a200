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

Status write_fill(bus::Connection& c, const FillWrite& w) {
  const broker::OrderEvent& e = *w.event;
  // Every string a command borrows lives here until the batch has run.
  const std::string account_key = bus::keys::paper_positions();
  const std::string delta = num(e.side == Side::kBuy ? e.fill_qty : -e.fill_qty);
  const std::string order_key = bus::keys::order(e.client_order_id);
  const std::string state(broker::event_kind_name(e.kind));
  const std::string filled = num(e.cum_qty), avg = num(e.avg_price), now = num(w.now_ns);
  const std::string position_key = bus::keys::position(e.sym);
  bus::Fields position;
  if (w.position && w.position->qty != 0) position = position_fields(*w.position);
  bus::Fields entry_fire;
  const std::string maxlen = std::to_string(w.stream_maxlen);
  if (w.purpose == Purpose::kEntry) {
    entry_fire = bus::encode(
        bus::EntryFireEvent{e.sym, e.side, e.fill_qty, e.fill_price, e.client_order_id, e.ts_ns});
  }

  bus::CommandBatch b;
  b.add({"MULTI"});
  if (w.paper_account) b.add({"EVAL", kAccountAdd, "1", account_key, e.sym, delta});
  b.add({"HSET", order_key, "state", state, "filled_qty", filled, "avg_fill_price", avg,
         "updated_ns", now});
  if (w.position) {
    b.add({"DEL", position_key});
    if (!position.empty()) {
      b.begin();
      b.arg("HSET");
      b.arg(position_key);
      for (const auto& [k, v] : position) {
        b.arg(k);
        b.arg(v);
      }
    }
  }
  if (!entry_fire.empty()) {
    b.begin();
    for (std::string_view a :
         {std::string_view("XADD"), bus::keys::stream_name(bus::keys::Stream::kEntryFire),
          std::string_view("MAXLEN"), std::string_view("~"), std::string_view(maxlen),
          std::string_view("*")}) {
      b.arg(a);
    }
    for (const auto& [k, v] : entry_fire) {
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
  if (auto s = exec.array(); !s) return Error(s.error()).with_context("EXEC fill " + order_key);
  for (std::size_t i = 0; i < exec.size(); ++i) {
    HARRIER_TRY(bus::check_reply(exec.at(i), b.describe(i + 1)));
  }
  return ok();
}

}  // namespace harrier::roles::execute
