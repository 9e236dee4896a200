#include "risk/watchdog.h"

namespace harrier::risk {

std::string_view mismatch_kind_name(MismatchKind kind) {
  return kind == MismatchKind::kRoguePosition ? "rogue_position" : "size_mismatch";
}

std::vector<Mismatch> diff_positions(const PositionMap& broker, const PositionMap& engine) {
  std::vector<Mismatch> out;
  auto qty_in = [](const PositionMap& m, const std::string& sym) -> std::int64_t {
    auto it = m.find(sym);
    return it == m.end() ? 0 : it->second;
  };
  // Walk the union of both symbol sets in order.
  auto b = broker.begin();
  auto e = engine.begin();
  while (b != broker.end() || e != engine.end()) {
    std::string sym;
    if (e == engine.end() || (b != broker.end() && b->first < e->first)) {
      sym = (b++)->first;
    } else if (b == broker.end() || e->first < b->first) {
      sym = (e++)->first;
    } else {
      sym = b->first;
      ++b;
      ++e;
    }
    const std::int64_t bq = qty_in(broker, sym);
    const std::int64_t eq = qty_in(engine, sym);
    if (bq == eq) continue;
    Mismatch m{sym, MismatchKind::kSizeMismatch, bq, eq};
    if (eq == 0) m.kind = MismatchKind::kRoguePosition;
    out.push_back(std::move(m));
  }
  return out;
}

std::string describe(const Mismatch& m) {
  auto held = [&](std::int64_t q) {
    return q == 0 ? std::string("none") : std::to_string(q) + " " + m.sym;
  };
  return "broker holds " + held(m.broker_qty) + ", engine holds " + held(m.engine_qty);
}

std::vector<Mismatch> Watchdog::check(const PositionMap& broker, const PositionMap& engine) {
  std::vector<Mismatch> now = diff_positions(broker, engine);
  std::map<std::string, Seen, std::less<>> next;
  std::vector<Mismatch> raise;
  for (Mismatch& m : now) {
    Seen s;
    if (auto it = seen_.find(m.sym); it != seen_.end() && it->second.m == m) s = it->second;
    s.m = m;
    ++s.cycles;
    if (!s.raised && s.cycles >= confirm_cycles_) {
      s.raised = true;
      raise.push_back(m);
    }
    next.emplace(m.sym, std::move(s));
  }
  seen_ = std::move(next);
  return raise;
}

}  // namespace harrier::risk
