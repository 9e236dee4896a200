#include "bus/events.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/symbol_table.h"
#include "core/text.h"

namespace harrier::bus {

namespace {

std::string int_text(std::int64_t v) {
  std::string s;
  text::append_int(s, v);
  return s;
}

std::string double_text(double v) {
  std::string s;
  text::append_double(s, v);
  return s;
}

// Looks a field up by name; kInvalidInput naming it when missing.
Result<std::string_view> field(const Fields& f, std::string_view name) {
  for (const auto& [k, v] : f) {
    if (k == name) return std::string_view(v);
  }
  return invalid_input("missing field '" + std::string(name) + "'");
}

Error bad_field(std::string_view name, std::string_view value, std::string_view why) {
  std::string shown(value.substr(0, 64));
  return invalid_input("field '" + std::string(name) + "' = '" + shown + "': " + std::string(why));
}

Result<std::string> sym_field(const Fields& f) {
  HARRIER_ASSIGN_OR_RETURN(std::string_view v, field(f, "sym"));
  if (auto s = SymbolTable::validate(v); !s) return bad_field("sym", v, s.error().message());
  return std::string(v);
}

Result<std::int64_t> int_field(const Fields& f, std::string_view name, std::int64_t min) {
  HARRIER_ASSIGN_OR_RETURN(std::string_view v, field(f, name));
  auto n = text::parse_int(v);
  if (!n) return bad_field(name, v, "not an integer");
  if (*n < min) return bad_field(name, v, "below " + std::to_string(min));
  return *n;
}

Result<double> price_field(const Fields& f, std::string_view name) {
  HARRIER_ASSIGN_OR_RETURN(std::string_view v, field(f, name));
  auto d = text::parse_double(v);
  if (!d) return bad_field(name, v, "not a number");
  if (!std::isfinite(*d) || *d <= 0) return bad_field(name, v, "not a finite positive price");
  return *d;
}

Result<Side> side_field(const Fields& f) {
  HARRIER_ASSIGN_OR_RETURN(std::string_view v, field(f, "side"));
  if (v == side_name(Side::kBuy)) return Side::kBuy;
  if (v == side_name(Side::kSell)) return Side::kSell;
  return bad_field("side", v, "expected buy or sell");
}

}  // namespace

Fields encode(const NewBarEvent& e) {
  return {{"sym", e.sym},
          {"iv", std::string(interval_name(e.iv))},
          {"bar_start_ns", int_text(e.bar_start_ns)},
          {"seq", int_text(e.seq)},
          {"sealed_ns", int_text(e.sealed_ns)},
          {"published_ns", int_text(e.published_ns)}};
}

Fields encode(const QuoteEvent& e) {
  Fields f = {{"sym", e.sym},
              {"bid", double_text(e.bid)},
              {"ask", double_text(e.ask)},
              {"bid_size", double_text(e.bid_size)},
              {"ask_size", double_text(e.ask_size)},
              {"last", double_text(e.last)},
              {"ts_ns", int_text(e.ts_ns)}};
  if (!e.path.empty()) {
    std::string path;
    path.reserve(e.path.size() * 48);
    for (const QuotePoint& p : e.path) {
      if (!path.empty()) path += ';';
      text::append_int(path, p.ts_ns);
      for (double v : {p.bid, p.ask, p.last}) {
        path += ',';
        text::append_double(path, v);
      }
    }
    f.emplace_back("path", std::move(path));
  }
  return f;
}

Fields encode(const SweepEvent& e) {
  return {{"sym", e.sym},
          {"side", std::string(side_name(e.side))},
          {"levels", int_text(e.levels)},
          {"volume", int_text(e.volume)},
          {"ts_ns", int_text(e.ts_ns)}};
}

Fields encode(const EntryFireEvent& e) {
  return {{"sym", e.sym},
          {"side", std::string(side_name(e.side))},
          {"qty", int_text(e.qty)},
          {"price", double_text(e.price)},
          {"client_order_id", e.client_order_id},
          {"ts_ns", int_text(e.ts_ns)}};
}

Fields encode(const AlertEvent& e) {
  return {{"sym", e.sym}, {"kind", e.kind}, {"detail", e.detail}, {"ts_ns", int_text(e.ts_ns)}};
}

Fields encode(const ExitFireEvent& e) {
  return {{"sym", e.sym},
          {"reason", e.reason},
          {"stop_price", double_text(e.stop_price)},
          {"trigger_ns", int_text(e.trigger_ns)}};
}

Result<NewBarEvent> decode_new_bar(const Fields& f) {
  NewBarEvent e;
  HARRIER_ASSIGN_OR_RETURN(e.sym, sym_field(f));
  HARRIER_ASSIGN_OR_RETURN(std::string_view iv, field(f, "iv"));
  auto parsed = parse_interval(iv);
  if (!parsed) return bad_field("iv", iv, parsed.error().message());
  e.iv = *parsed;
  HARRIER_ASSIGN_OR_RETURN(e.bar_start_ns, int_field(f, "bar_start_ns", 0));
  HARRIER_ASSIGN_OR_RETURN(e.seq, int_field(f, "seq", 0));
  HARRIER_ASSIGN_OR_RETURN(e.sealed_ns, int_field(f, "sealed_ns", 0));
  if (field(f, "published_ns")) {
    HARRIER_ASSIGN_OR_RETURN(e.published_ns, int_field(f, "published_ns", 0));
  }
  return e;
}

namespace {
// A quote's price or size: NaN (a side not quoted yet) or a finite value >= 0.
std::optional<std::string> bad_quote_number(std::string_view v, double* out) {
  auto d = text::parse_double(v);
  if (!d) return "not a number";
  if (std::isinf(*d) || *d < 0) return "negative or infinite";
  *out = *d;
  return std::nullopt;
}

// "ts,bid,ask,last;..." (QuoteEvent::path); errors name the point.
Result<std::vector<QuotePoint>> parse_quote_path(std::string_view text) {
  std::vector<QuotePoint> path;
  std::size_t index = 0;
  while (true) {
    const std::size_t end = std::min(text.find(';'), text.size());
    const std::string_view point = text.substr(0, end);
    auto bad = [&](std::string_view why) {
      return bad_field("path", point, "point " + std::to_string(index) + ": " + std::string(why));
    };
    std::string_view parts[4];
    if (text::split_csv(point, parts, 4) != 4) return bad("expected ts,bid,ask,last");
    QuotePoint p;
    auto ts = text::parse_int(parts[0]);
    if (!ts || *ts < 0) return bad("ts is not an integer >= 0");
    p.ts_ns = *ts;
    double* dst[3] = {&p.bid, &p.ask, &p.last};
    for (int k = 0; k < 3; ++k) {
      if (auto why = bad_quote_number(parts[k + 1], dst[k])) return bad(*why);
    }
    path.push_back(p);
    ++index;
    if (end == text.size()) break;
    text.remove_prefix(end + 1);
  }
  return path;
}
}  // namespace

Result<QuoteEvent> decode_quote_event(const Fields& f) {
  QuoteEvent e;
  HARRIER_ASSIGN_OR_RETURN(e.sym, sym_field(f));
  for (auto [name, dst] :
       {std::pair{"bid", &e.bid}, std::pair{"ask", &e.ask}, std::pair{"bid_size", &e.bid_size},
        std::pair{"ask_size", &e.ask_size}, std::pair{"last", &e.last}}) {
    HARRIER_ASSIGN_OR_RETURN(std::string_view v, field(f, name));
    if (auto why = bad_quote_number(v, dst)) return bad_field(name, v, *why);
  }
  HARRIER_ASSIGN_OR_RETURN(e.ts_ns, int_field(f, "ts_ns", 0));
  if (auto path = field(f, "path")) {
    HARRIER_ASSIGN_OR_RETURN(e.path, parse_quote_path(*path));
  }
  return e;
}

Result<SweepEvent> decode_sweep(const Fields& f) {
  SweepEvent e;
  HARRIER_ASSIGN_OR_RETURN(e.sym, sym_field(f));
  HARRIER_ASSIGN_OR_RETURN(e.side, side_field(f));
  HARRIER_ASSIGN_OR_RETURN(e.levels, int_field(f, "levels", 2));
  HARRIER_ASSIGN_OR_RETURN(e.volume, int_field(f, "volume", 0));
  HARRIER_ASSIGN_OR_RETURN(e.ts_ns, int_field(f, "ts_ns", 0));
  return e;
}

Result<EntryFireEvent> decode_entry_fire(const Fields& f) {
  EntryFireEvent e;
  HARRIER_ASSIGN_OR_RETURN(e.sym, sym_field(f));
  HARRIER_ASSIGN_OR_RETURN(e.side, side_field(f));
  HARRIER_ASSIGN_OR_RETURN(e.qty, int_field(f, "qty", 1));
  HARRIER_ASSIGN_OR_RETURN(e.price, price_field(f, "price"));
  HARRIER_ASSIGN_OR_RETURN(std::string_view id, field(f, "client_order_id"));
  if (auto s = keys::validate_order_id(id); !s) {
    return bad_field("client_order_id", id, s.error().message());
  }
  e.client_order_id = std::string(id);
  HARRIER_ASSIGN_OR_RETURN(e.ts_ns, int_field(f, "ts_ns", 0));
  return e;
}

Result<ExitFireEvent> decode_exit_fire(const Fields& f) {
  ExitFireEvent e;
  HARRIER_ASSIGN_OR_RETURN(e.sym, sym_field(f));
  HARRIER_ASSIGN_OR_RETURN(std::string_view reason, field(f, "reason"));
  if (auto s = keys::validate_order_id(reason); !s) {
    return bad_field("reason", reason, "must be 1..64 printable bytes without spaces");
  }
  e.reason = std::string(reason);
  HARRIER_ASSIGN_OR_RETURN(e.stop_price, price_field(f, "stop_price"));
  HARRIER_ASSIGN_OR_RETURN(e.trigger_ns, int_field(f, "trigger_ns", 0));
  return e;
}

Result<AlertEvent> decode_alert(const Fields& f) {
  AlertEvent e;
  HARRIER_ASSIGN_OR_RETURN(std::string_view sym, field(f, "sym"));
  if (sym != "*") {
    HARRIER_ASSIGN_OR_RETURN(e.sym, sym_field(f));
  } else {
    e.sym = "*";
  }
  HARRIER_ASSIGN_OR_RETURN(std::string_view kind, field(f, "kind"));
  if (auto s = keys::validate_order_id(kind); !s) {
    return bad_field("kind", kind, "must be 1..64 printable bytes without spaces");
  }
  e.kind = std::string(kind);
  HARRIER_ASSIGN_OR_RETURN(std::string_view detail, field(f, "detail"));
  if (detail.size() > 1024) return bad_field("detail", detail.substr(0, 32), "longer than 1024");
  e.detail = std::string(detail);
  HARRIER_ASSIGN_OR_RETURN(e.ts_ns, int_field(f, "ts_ns", 0));
  return e;
}

}  // namespace harrier::bus
