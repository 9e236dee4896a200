#include "roles/telemetry/positions.h"

#include <algorithm>
#include <cmath>

#include "bus/keys.h"
#include "bus/state.h"
#include "core/symbol_table.h"
#include "core/text.h"

namespace harrier::roles::telemetry {

namespace {

const std::string* find_field(const bus::Fields& f, std::string_view name) {
  for (const auto& [k, v] : f) {
    if (k == name) return &v;
  }
  return nullptr;
}

}  // namespace

Result<std::optional<Position>> parse_position(std::string_view sym, const bus::Fields& f) {
  const std::string key = bus::keys::position(sym);
  auto bad = [&](std::string_view field, std::string why) {
    return invalid_input(key + ": field '" + std::string(field) + "': " + std::move(why));
  };
  if (auto s = SymbolTable::validate(sym); !s) return Error(s.error()).with_context(key);
  Position p;
  p.sym = std::string(sym);
  const std::string* qty = find_field(f, "qty");
  if (qty == nullptr) return bad("qty", "missing");
  auto q = text::parse_int(*qty);
  if (!q) return bad("qty", "'" + qty->substr(0, 32) + "' is not an integer");
  if (*q == 0) return std::optional<Position>();
  p.qty = *q;
  const std::string* avg = find_field(f, "avg_price");
  if (avg == nullptr) return bad("avg_price", "missing");
  auto a = text::parse_double(*avg);
  if (!a || !std::isfinite(*a) || *a <= 0) {
    return bad("avg_price", "'" + avg->substr(0, 32) + "' is not a finite positive price");
  }
  p.avg_price = *a;
  const std::string* id = find_field(f, "entry_order_id");
  if (id == nullptr) return bad("entry_order_id", "missing");
  if (auto s = bus::keys::validate_order_id(*id); !s)
    return bad("entry_order_id", s.error().message());
  p.entry_order_id = *id;
  return std::optional<Position>(std::move(p));
}

Result<bus::Fields> hash_fields(const bus::ReplyView& r) {
  HARRIER_TRY(r.array());
  if (r.size() % 2 != 0) return protocol_error("hash reply with an odd number of items");
  bus::Fields out;
  out.reserve(r.size() / 2);
  for (std::size_t i = 0; i < r.size(); i += 2) {
    HARRIER_ASSIGN_OR_RETURN(std::string_view k, r.at(i).string());
    HARRIER_ASSIGN_OR_RETURN(std::string_view v, r.at(i + 1).string());
    out.emplace_back(std::string(k), std::string(v));
  }
  return out;
}

Result<std::vector<std::string>> position_symbols(bus::Connection& c) {
  const std::string pattern = bus::keys::position("*");
  const std::size_t prefix = pattern.size() - 1;
  std::vector<std::string> syms;
  std::string cursor = "0";
  for (int round = 0; round < 100000; ++round) {
    HARRIER_ASSIGN_OR_RETURN(bus::Reply r,
                             c.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}));
    auto ctx = [](Error e) {
      return std::move(e).with_context("SCAN " + std::string("position:*"));
    };
    if (auto s = r.array(); !s || r.size() != 2) {
      return ctx(protocol_error("SCAN reply is not [cursor, keys]"));
    }
    auto next = r.at(0).string();
    if (!next) return ctx(next.error());
    const bus::ReplyView keys = r.at(1);
    if (auto s = keys.array(); !s) return ctx(s.error());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      auto k = keys.at(i).string();
      if (!k) return ctx(k.error());
      if (k->size() > prefix) syms.emplace_back(k->substr(prefix));
    }
    cursor = std::string(*next);
    if (cursor == "0") break;
  }
  std::sort(syms.begin(), syms.end());
  syms.erase(std::unique(syms.begin(), syms.end()), syms.end());
  return syms;
}

Result<PositionRead> read_positions(bus::Connection& c) {
  HARRIER_ASSIGN_OR_RETURN(std::vector<std::string> syms, position_symbols(c));
  PositionRead out;
  if (syms.empty()) return out;
  std::vector<std::string> keys;
  keys.reserve(syms.size());
  bus::CommandBatch batch;
  for (const std::string& s : syms) keys.push_back(bus::keys::position(s));
  for (const std::string& k : keys) batch.add({"HGETALL", k});
  std::vector<bus::Reply> replies;
  HARRIER_TRY(c.run(batch, replies));
  for (std::size_t i = 0; i < syms.size(); ++i) {
    if (auto s = bus::check_reply(replies[i].view(), batch.describe(i)); !s) {
      out.bad.emplace_back(syms[i], s.error());
      continue;
    }
    auto f = hash_fields(replies[i].view());
    if (!f) {
      out.bad.emplace_back(syms[i], Error(f.error()).with_context(keys[i]));
      continue;
    }
    if (f->empty()) continue;  // deleted since the SCAN: flat
    auto p = parse_position(syms[i], *f);
    if (!p) {
      out.bad.emplace_back(syms[i], p.error());
      continue;
    }
    if (*p) out.open.emplace(syms[i], std::move(**p));
  }
  return out;
}

Result<BrokerRead> read_broker_positions(bus::Connection& c) {
  const std::string key = bus::keys::paper_positions();
  HARRIER_ASSIGN_OR_RETURN(std::optional<bus::Fields> f, bus::read_hash(c, key));
  BrokerRead out;
  if (!f) return out;
  for (const auto& [sym, qty] : *f) {
    if (auto s = SymbolTable::validate(sym); !s) {
      out.bad.push_back(invalid_input(key + ": field '" + sym.substr(0, 32) + "': bad symbol"));
      continue;
    }
    auto q = text::parse_int(qty);
    if (!q) {
      out.bad.push_back(invalid_input(key + ": field '" + sym + "': '" + qty.substr(0, 32) +
                                      "' is not an integer"));
      continue;
    }
    if (*q != 0) out.held[sym] = *q;
  }
  return out;
}

}  // namespace harrier::roles::telemetry
