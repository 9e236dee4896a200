#include "market/bar_sealer.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace harrier {

BarSealer::BarSealer(SealerOptions options, BarSink& sink)
    : options_(std::move(options)),
      sink_(sink),
      next_deadline_(std::numeric_limits<TimestampNs>::max()) {}

BarSealer::SymbolState& BarSealer::add_symbols(SymbolId id) {
  std::size_t old_size = symbols_.size();
  symbols_.resize(static_cast<std::size_t>(id) + 1);
  for (std::size_t i = old_size; i < symbols_.size(); ++i) {
    symbols_[i].sweep = SweepDetector(options_.sweep_window_ns);
  }
  return symbols_[id];
}

void BarSealer::note_late(SymbolId id, Interval iv, const Tick& tick, TimestampNs now_ns) {
  if (late_log_.allow(now_ns)) {
    log::warn("market", "late tick sym={} iv={} ts_ns={} open_bar_start_ns={} suppressed={}", id,
              interval_name(iv), tick.ts_ns, symbols_[id].slots[index_of(iv)].start,
              late_log_.suppressed());
  }
}

void BarSealer::on_tick(const Tick& tick, TimestampNs now_ns) {
  SymbolState& st = state_for(tick.symbol);
  ++stats_.ticks;
  const TimestampNs t = tick.ts_ns;
  const bool is_trade = tick.kind == TickKind::kTrade;
  if (is_trade) {
    ++stats_.trades;
  } else {
    ++stats_.quotes;
  }

  // Classify a trade against the quote and last price as they stood just before it.
  const bool sets_price = is_trade && options_.rule.sets_price(tick.flags);
  const bool counts_volume = is_trade && options_.rule.counts_volume(tick.flags);
  if (is_trade && !sets_price) ++stats_.price_excluded;
  if (is_trade && !counts_volume) ++stats_.volume_excluded;
  int direction = 0;  // +1 buy, -1 sell, 0 unknown
  bool at_best = false;
  if (is_trade) {
    if (st.has_ask && tick.price >= st.ask) {
      direction = 1;
    } else if (st.has_bid && tick.price <= st.bid) {
      direction = -1;
    } else if (!std::isnan(st.last_price)) {
      if (tick.price > st.last_price) {
        direction = 1;
      } else if (tick.price < st.last_price) {
        direction = -1;
      } else {
        direction = st.last_direction;
      }
    }
    at_best = (st.has_bid && tick.price == st.bid) || (st.has_ask && tick.price == st.ask);
  }
  std::optional<SweepEvent> sweep;
  const bool in_order = t >= st.last_tick_ts;
  if (sets_price && direction != 0 && in_order) {
    sweep = st.sweep.on_trade(t, tick.price, tick.size, direction > 0 ? Side::kBuy : Side::kSell);
  }

  // What the tick adds to one open bar.
  auto add = [&](Accum& a) {
    if (!is_trade) {
      ++a.quotes;
      return;
    }
    if (sets_price) {
      if (!a.has_price) {
        a.open = a.high = a.low = tick.price;
        a.has_price = true;
      } else {
        a.high = std::max(a.high, tick.price);
        a.low = std::min(a.low, tick.price);
      }
      a.close = tick.price;
    }
    if (counts_volume) {
      const auto sz = static_cast<double>(tick.size);
      a.volume += tick.size;
      ++a.trades;
      a.pv += tick.price * sz;
      if (direction > 0) a.buy += sz;
      if (direction < 0) a.sell += sz;
      if (at_best) a.dom_volume += sz;
    }
    if (sweep) ++a.sweeps;
  };

  bool late_any = false;
  if (t >= st.fast_from && t < st.fast_until) {
    // Inside every open bar (the common case): nothing to seal, open or count as late, and
    // the six bars get the same additions, gathered once in st.pending.
    add(st.pending);
    if (counts_volume) {
      const double pv = tick.price * static_cast<double>(tick.size);
      for (Slot& s : st.slots) s.acc.pv += pv;
    }
  } else {
    flush_pending(st);
    for (Interval iv : kAllIntervals) {
      Slot& s = st.slots[index_of(iv)];
      const DurationNs len = interval_ns(iv);
      if ((s.open || s.end != 0) && t < s.start) {
        // Older than the open bar (or than the end of the last sealed one): late, never merged.
        late_any = true;
        ++stats_.late_by_interval[index_of(iv)];
        ++s.acc.late;
        note_late(tick.symbol, iv, tick, now_ns);
        continue;
      }
      if (s.open && t >= s.end) seal_through(tick.symbol, st, iv, t, SealCause::kEvent, now_ns, t);
      if (!s.open) {
        s.open = true;
        s.start = bar_start(t, iv);
        s.end = s.start + len;
        next_deadline_ = std::min(next_deadline_, s.end + options_.grace_ns);
      }
      add(s.acc);
    }
    refresh_fast_window(st);
  }
  if (late_any) ++stats_.late_ticks;

  // Symbol-wide state moves forward only with in-order ticks.
  if (in_order) {
    st.last_tick_ts = t;
    if (is_trade && sets_price) {
      if (!std::isnan(st.last_price) && tick.price != st.last_price) {
        st.last_direction = tick.price > st.last_price ? 1 : -1;
      }
      st.last_price = tick.price;
    }
  }
  if (!is_trade && t >= st.last_quote_ts) {
    st.last_quote_ts = t;
    if (!std::isnan(tick.bid)) {
      st.has_bid = true;
      st.bid = tick.bid;
      st.bid_size = static_cast<double>(tick.bid_size);
    }
    if (!std::isnan(tick.ask)) {
      st.has_ask = true;
      st.ask = tick.ask;
      st.ask_size = static_cast<double>(tick.ask_size);
    }
  }
  if (sweep) {
    ++stats_.sweeps;
    sink_.on_sweep(tick.symbol, *sweep);
  }
}

void BarSealer::flush_pending(SymbolState& st) {
  Accum& p = st.pending;
  if (p.quotes == 0 && p.trades == 0 && !p.has_price && p.sweeps == 0) return;
  for (Slot& s : st.slots) {
    Accum& a = s.acc;
    if (p.has_price) {
      if (!a.has_price) {
        a.open = p.open;
        a.high = p.high;
        a.low = p.low;
        a.has_price = true;
      } else {
        a.high = std::max(a.high, p.high);
        a.low = std::min(a.low, p.low);
      }
      a.close = p.close;
    }
    a.volume += p.volume;
    a.trades += p.trades;
    a.quotes += p.quotes;
    a.buy += p.buy;
    a.sell += p.sell;
    a.dom_volume += p.dom_volume;
    a.sweeps += p.sweeps;
  }
  p = Accum{};
}

void BarSealer::refresh_fast_window(SymbolState& st) {
  TimestampNs from = std::numeric_limits<TimestampNs>::min();
  TimestampNs until = std::numeric_limits<TimestampNs>::max();
  for (const Slot& s : st.slots) {
    if (!s.open) {
      from = std::numeric_limits<TimestampNs>::max();
      until = std::numeric_limits<TimestampNs>::min();
      break;
    }
    from = std::max(from, s.start);
    until = std::min(until, s.end);
  }
  st.fast_from = from;
  st.fast_until = until;
}

void BarSealer::seal_through(SymbolId id, SymbolState& st, Interval iv, TimestampNs until,
                             SealCause cause, TimestampNs now_ns, TimestampNs due_ns) {
  Slot& s = st.slots[index_of(iv)];
  while (s.open && s.end <= until) {
    seal(id, st, iv, cause, now_ns,
         cause == SealCause::kClock ? s.end + options_.grace_ns : due_ns);
    if (s.start - st.last_tick_ts > options_.max_gap_fill_ns) {
      s.open = false;  // dormant until the next tick opens a fresh bar
      ++stats_.dormant_gaps;
    }
  }
}

void BarSealer::seal(SymbolId id, SymbolState& st, Interval iv, SealCause cause, TimestampNs now_ns,
                     TimestampNs due_ns) {
  flush_pending(st);
  Slot& s = st.slots[index_of(iv)];
  Accum& a = s.acc;
  st.fast_until = std::numeric_limits<TimestampNs>::min();  // the next tick recomputes it
  SealedBar out;
  out.symbol = id;
  out.interval = iv;
  out.cause = cause;
  out.sealed_ns = now_ns;
  out.due_ns = due_ns;
  Bar& b = out.bar;
  b.ts = s.start;
  b.seq = s.seq;
  if (a.has_price) {
    b.open = a.open;
    b.high = a.high;
    b.low = a.low;
    b.close = a.close;
    b.close_filled = a.close;
  } else {
    b.close_filled = s.prev_close_filled;
  }
  b.filled = !a.has_price;
  b.volume = a.volume;
  b.trade_count = a.trades;
  b.quote_count = a.quotes;
  b.late_ticks = a.late;
  const auto vol = static_cast<double>(a.volume);
  b.vwap = a.volume > 0 ? a.pv / vol : kNaN;

  // Session columns reset at the first bar at or after the next session start.
  if (s.next_session_start == 0 || s.start >= s.next_session_start) {
    s.session_start = options_.session.session_start(s.start);
    s.next_session_start = options_.session.next_session_start(s.start);
    s.session_pv = 0;
    s.session_volume = 0;
    s.session_delta = 0;
  }
  s.session_pv += a.pv;
  s.session_volume += vol;
  b.session_vwap = s.session_volume > 0 ? s.session_pv / s.session_volume : kNaN;

  if (st.has_bid) {
    b.bid = st.bid;
    b.bid_size = st.bid_size;
  }
  if (st.has_ask) {
    b.ask = st.ask;
    b.ask_size = st.ask_size;
  }
  if (st.has_bid && st.has_ask) {
    b.mid = (st.bid + st.ask) / 2;
    b.spread = st.ask - st.bid;
    const double depth = st.bid_size + st.ask_size;
    b.book_imbalance = depth > 0 ? (st.bid_size - st.ask_size) / depth : kNaN;
  }

  b.buy_volume = a.buy;
  b.sell_volume = a.sell;
  b.delta = a.buy - a.sell;
  s.session_delta += b.delta;
  b.cum_delta = s.session_delta;
  b.directional_pressure = a.volume > 0 ? b.delta / vol : 0.0;
  b.delta_price = b.close_filled - s.prev_close_filled;
  b.dom_hit_rate = a.volume > 0 ? a.dom_volume / vol : kNaN;
  b.sweep_count = static_cast<double>(a.sweeps);

  ++stats_.bars_sealed;
  if (b.filled) ++stats_.bars_filled;
  if (cause == SealCause::kClock) ++stats_.sealed_by_clock;

  s.prev_close_filled = b.close_filled;
  ++s.seq;
  s.start = s.end;
  s.end += interval_ns(iv);
  s.acc = Accum{};
  sink_.on_bar(out);
}

void BarSealer::seal_due(TimestampNs now_ns) {
  TimestampNs next = std::numeric_limits<TimestampNs>::max();
  for (std::size_t id = 0; id < symbols_.size(); ++id) {
    SymbolState& st = symbols_[id];
    for (Interval iv : kAllIntervals) {
      Slot& s = st.slots[index_of(iv)];
      if (!s.open) continue;
      if (s.end + options_.grace_ns <= now_ns) {
        seal_through(static_cast<SymbolId>(id), st, iv, now_ns - options_.grace_ns,
                     SealCause::kClock, now_ns, 0);
      }
      if (s.open) next = std::min(next, s.end + options_.grace_ns);
    }
  }
  next_deadline_ = next;
}

void BarSealer::finish(TimestampNs now_ns) {
  for (std::size_t id = 0; id < symbols_.size(); ++id) {
    SymbolState& st = symbols_[id];
    flush_pending(st);
    for (Interval iv : kAllIntervals) {
      Slot& s = st.slots[index_of(iv)];
      if (!s.open) continue;
      const Accum& a = s.acc;
      if (a.trades > 0 || a.has_price || a.quotes > 0 || a.late > 0) {
        seal(static_cast<SymbolId>(id), st, iv, SealCause::kFinish, now_ns, now_ns);
      }
      s.open = false;
    }
    st.fast_until = std::numeric_limits<TimestampNs>::min();
  }
  next_deadline_ = std::numeric_limits<TimestampNs>::max();
}

}  // namespace harrier
