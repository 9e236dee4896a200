#include "roles/ingest/seal_sink.h"

#include <algorithm>
#include <cmath>

#include "core/log.h"

namespace harrier::roles::ingest {

void GuardedSymbols::set(std::vector<std::string> symbols) {
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
  std::lock_guard lock(mu_);
  if (symbols == symbols_) return;
  symbols_ = std::move(symbols);
  version_.fetch_add(1, std::memory_order_release);
}

std::vector<std::string> GuardedSymbols::snapshot() const {
  std::lock_guard lock(mu_);
  return symbols_;
}

void GuardedSymbols::note_fill(std::string_view sym, TimestampNs ts_ns) {
  std::lock_guard lock(mu_);
  auto it = fills_.find(sym);
  if (it == fills_.end()) {
    fills_.emplace(std::string(sym), ts_ns);
  } else {
    it->second = std::max(it->second, ts_ns);
  }
}

TimestampNs GuardedSymbols::fill_ts(std::string_view sym) const {
  std::lock_guard lock(mu_);
  auto it = fills_.find(sym);
  return it == fills_.end() ? -1 : it->second;
}

namespace {
// NaN != NaN: a side still unquoted compares as changed until it is quoted.
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }
}  // namespace

SealSink::SealSink(SealSinkOptions opts, const SymbolTable& symbols, bus::IoWorker& io,
                   const MarketClock& clock, const Clock& wall, SinkMetrics metrics,
                   const GuardedSymbols* guarded)
    : opts_(opts),
      symbols_(symbols),
      io_(io),
      clock_(clock),
      wall_(wall),
      m_(metrics),
      guarded_(guarded) {
  if (opts_.window == 0) opts_.window = 1;
  buffer_bytes_ = opts_.window * sizeof(Bar) + kWindowMetadataBytes;
  arrow::BarEncoder::prepare_rows(opts_.window);  // a filling window's seals build none
  prepare_windows();  // the symbols a feed names at open (the simulator's, a replay's first)
}

void SealSink::prepare_windows() {
  for (std::size_t id = windows_.size(); id < symbols_.size(); ++id) {
    const auto symbol = static_cast<SymbolId>(id);
    for (Interval iv : kAllIntervals) {
      Window& w = window_for(symbol, iv);
      // A name the encoder refuses is reported by the seal's encode, as before.
      (void)w.bars->prepare(symbols_.name(symbol), iv);
    }
  }
  // Seals of a window up to kMaxDescribedRows go as pieces and need no buffer.
  const std::size_t want = opts_.window > arrow::BarWindowEncoder::kMaxDescribedRows
                               ? prepared_buffers(symbols_.size())
                               : 0;
  for (; prepared_ < want; ++prepared_) {
    std::string b;
    b.resize(buffer_bytes_);  // the zero fill faults the pages in now, not at a boundary
    b.clear();                // keeps the capacity
    stash_.push_back(std::move(b));
  }
}

void SealSink::refresh_guarded() {
  if (guarded_ == nullptr) return;
  const std::uint64_t v = guarded_->version();
  // Symbols the feed has not named yet get their flag when they appear.
  if (v == guarded_version_ && guarded_flags_.size() >= symbols_.size()) return;
  if (v != guarded_version_) {
    guarded_names_ = guarded_->snapshot();
    guarded_version_ = v;
  }
  std::vector<std::uint8_t> was = std::move(guarded_flags_);
  guarded_flags_.assign(symbols_.size(), 0);
  for (const std::string& name : guarded_names_) {
    const SymbolId id = symbols_.find(name);
    if (id == kNoSymbol || id >= guarded_flags_.size()) continue;
    guarded_flags_[id] = 1;
    if (id >= was.size() || was[id] == 0) {
      QuoteState& qs = quote_for(id);
      if (qs.quote.ts_ns > 0) {
        // Newly guarded: its changes since the fill and its quote now go out at once, so the
        // new stop hears the current price without waiting for the next tick, and a price that
        // crossed it between the fill and now (otherwise only in quote:{sym}, written at most
        // every quote_min_interval_ms: P3 found 46 of 289 exits of a sym10_20000 session that
        // way, 4.8 ms late at p50) reaches it too.
        qs.pub_fresh = false;
        qs.pub_bid = qs.quote.bid;
        qs.pub_ask = qs.quote.ask;
        qs.pub_last = qs.quote.last;
        publish_since(id, qs, guarded_->fill_ts(name));
      } else {
        // No quote yet: its first tick is published whatever the prices.
        qs.pub_bid = qs.pub_ask = qs.pub_last = kNaN;
        qs.pub_fresh = true;
      }
    }
  }
}

void SealSink::publish_quote(SymbolId symbol, const bus::QuoteSnapshot& q, TimestampNs ts_ns) {
  bus::QuoteEvent& ev = change_;
  ev.sym = symbols_.name(symbol);
  ev.bid = q.bid;
  ev.ask = q.ask;
  ev.bid_size = q.bid_size;
  ev.ask_size = q.ask_size;
  ev.last = q.last;
  ev.ts_ns = ts_ns;  // the tick that changed it (a trade moves `last`, not the quote time)
  switch (io_.submit_quote_change(symbol, ev)) {
    case bus::IoWorker::QuoteChange::kQueued:
      m_.quote_events->add();
      m_.quote_changes->add();
      break;
    case bus::IoWorker::QuoteChange::kJoined:
      m_.quote_changes->add();
      break;
    case bus::IoWorker::QuoteChange::kDropped:
      m_.seal_queue_drops->add();
      break;
  }
}

void SealSink::publish_since(SymbolId symbol, QuoteState& qs, TimestampNs since_ns) {
  TimestampNs ts = qs.quote.ts_ns;
  if (qs.recent_n > 0) {
    // The newest change is the current state (a trade after the last quote moved `last`).
    ts = std::max(ts, qs.recent_at(qs.recent_n - 1).ts_ns);
    bus::QuoteSnapshot s = qs.quote;  // sizes: a change in a path carries none
    for (std::uint32_t k = 0; since_ns >= 0 && k + 1 < qs.recent_n; ++k) {
      const bus::QuotePoint& p = qs.recent_at(k);
      if (p.ts_ns < since_ns) continue;
      s.bid = p.bid;
      s.ask = p.ask;
      s.last = p.last;
      publish_quote(symbol, s, p.ts_ns);
    }
  }
  publish_quote(symbol, qs.quote, ts);
}

template <typename Event>
void SealSink::publish(const Event& ev, Counter* published) {
  if (io_.submit_event(Event::kStream, bus::encode(ev))) {
    published->add();
  } else {
    m_.seal_queue_drops->add();
  }
}

SealSink::Window& SealSink::window_for(SymbolId symbol, Interval iv) {
  if (symbol >= windows_.size()) windows_.resize(static_cast<std::size_t>(symbol) + 1);
  Window& w = windows_[symbol][index_of(iv)];
  if (!w.bars) w.bars = std::make_unique<arrow::BarWindowEncoder>(opts_.window);
  return w;
}

SealSink::QuoteState& SealSink::quote_for(SymbolId symbol) {
  if (symbol >= quotes_.size()) quotes_.resize(static_cast<std::size_t>(symbol) + 1);
  return quotes_[symbol];
}

std::string SealSink::take_buffer() {
  // The written ones the IO thread handed back, oldest first, go on top of the stack: the last
  // one back is the one taken, its pages the most recently touched.
  const std::size_t none = std::string().capacity();  // take_buffer() with nothing back
  for (std::string b = io_.take_buffer(); b.capacity() > none; b = io_.take_buffer()) {
    stash_.push_back(std::move(b));
  }
  std::string b;
  if (!stash_.empty()) {
    b = std::move(stash_.back());
    stash_.pop_back();
  }
  // Only when more seals are in flight than buffers were made does this allocate.
  if (b.capacity() < buffer_bytes_) b.reserve(buffer_bytes_);
  return b;
}

void SealSink::on_bar(SealedBar& sealed) {
  m_.bars_sealed->add();
  arrow::BarWindowEncoder& bars = *window_for(sealed.symbol, sealed.interval).bars;
  bars.push(sealed.bar);

  bus::Seal seal;
  seal.sym = symbols_.name(sealed.symbol);
  seal.iv = sealed.interval;
  seal.bar_start_ns = sealed.bar.ts;
  seal.seq = sealed.bar.seq;
  seal.sealed_ns = wall_.now_ns();
  Status st = ok();
  if (bars.describable()) {
    // The window's columns go to the IO thread where the window keeps them, and from there to
    // the socket: the bar thread copies none (a 45 KB window a seal was 4-6 us of it, and a
    // 100-symbol minute boundary seals 500).
    st = bars.describe(seal.sym, seal.iv, seal.bars_pieces);
  } else {
    // A written seal's buffer, with room for a full window from its first use: as buffers go
    // round between this thread and the IO thread, none is allocated, grown or zero-filled
    // again.
    seal.bars = take_buffer();
    st = bars.encode(seal.sym, seal.iv, seal.bars);
  }
  if (!st) {
    m_.encode_errors->add();
    log::error("ingest/bars", "cannot encode bars {} {}: {}", seal.sym, interval_name(seal.iv),
               st.error().to_string());
    return;
  }
  seal.quote = quote_for(sealed.symbol).quote;
  if (clock_.paced() && sealed.cause != SealCause::kFinish) {
    // Market-time differences scaled back to wall time.
    auto record = [&](Histogram* h, TimestampNs from, TimestampNs to) {
      if (h == nullptr) return;
      const double d = static_cast<double>(to - from) / clock_.speed();
      h->record(static_cast<DurationNs>(std::max(0.0, d)));
    };
    const TimestampNs bar_end = sealed.bar.ts + interval_ns(sealed.interval);
    record(m_.bar_end_to_seal, bar_end, sealed.sealed_ns);
    // From the moment the bar could be sealed (its closing tick's exchange time, or the clock
    // deadline) to now, encoded and about to be handed to the IO thread.
    const TimestampNs now = clock_.now();
    record(m_.seal_delay, sealed.due_ns, now);
    if (sealed.cause == SealCause::kEvent && taken_ns_ >= sealed.due_ns) {
      record(m_.closing_tick_lag, sealed.due_ns, taken_ns_);
      record(m_.seal_work, taken_ns_, now);
    }
  }
  if (io_.submit(std::move(seal))) {
    m_.seals_submitted->add();
  } else {
    m_.seal_queue_drops->add();
  }
}

void SealSink::on_sweep(SymbolId symbol, const SweepEvent& sweep) {
  bus::SweepEvent ev;
  ev.sym = symbols_.name(symbol);
  ev.side = sweep.side;
  ev.levels = sweep.levels;
  ev.volume = sweep.volume;
  ev.ts_ns = sweep.ts_ns;
  publish(ev, m_.sweeps);
}

void SealSink::on_tick(const Tick& tick) {
  if (tick.symbol >= windows_.size()) prepare_windows();  // a symbol new to the feed
  QuoteState& qs = quote_for(tick.symbol);
  bus::QuoteSnapshot& q = qs.quote;
  if (tick.kind == TickKind::kTrade) {
    q.last = tick.price;
  } else {
    if (tick.ts_ns < q.ts_ns) return;  // an older quote never replaces a newer one
    if (!std::isnan(tick.bid)) {
      q.bid = tick.bid;
      q.bid_size = static_cast<double>(tick.bid_size);
    }
    if (!std::isnan(tick.ask)) {
      q.ask = tick.ask;
      q.ask_size = static_cast<double>(tick.ask_size);
    }
    q.ts_ns = tick.ts_ns;
  }
  if (qs.recent_n == 0 || !same(q.bid, qs.recent_at(qs.recent_n - 1).bid) ||
      !same(q.ask, qs.recent_at(qs.recent_n - 1).ask) ||
      !same(q.last, qs.recent_at(qs.recent_n - 1).last)) {
    qs.recent[qs.recent_next] = bus::QuotePoint{tick.ts_ns, q.bid, q.ask, q.last};
    qs.recent_next = (qs.recent_next + 1) % kRecentChanges;
    if (qs.recent_n < kRecentChanges) ++qs.recent_n;
  }
  if (guarded(tick.symbol)) {
    if (qs.pub_fresh || !same(q.bid, qs.pub_bid) || !same(q.ask, qs.pub_ask) ||
        !same(q.last, qs.pub_last)) {
      qs.pub_fresh = false;
      qs.pub_bid = q.bid;
      qs.pub_ask = q.ask;
      qs.pub_last = q.last;
      publish_quote(tick.symbol, q, tick.ts_ns);
    }
  }
  if (!qs.dirty) {
    qs.dirty = true;
    dirty_.push_back(tick.symbol);
    next_quote_due_ = std::min(next_quote_due_, qs.last_write_mono + opts_.quote_min_interval_ns);
  }
}

void SealSink::flush_quotes(bool force) {
  if (dirty_.empty()) return;
  const std::int64_t now = wall_.mono_ns();
  // Nothing is due before the oldest write's interval ends: skip the scan (the bar thread calls
  // this on every turn, thousands of times between two due writes).
  if (!force && now < next_quote_due_) return;
  std::int64_t next_due = INT64_MAX;
  std::size_t keep = 0;
  for (SymbolId id : dirty_) {
    QuoteState& qs = quotes_[id];
    if (!force && now - qs.last_write_mono < opts_.quote_min_interval_ns) {
      dirty_[keep++] = id;
      next_due = std::min(next_due, qs.last_write_mono + opts_.quote_min_interval_ns);
      continue;
    }
    if (io_.submit_quote(symbols_.name(id), qs.quote)) {
      m_.quote_writes->add();
      qs.last_write_mono = now;
      qs.dirty = false;
    } else {
      m_.seal_queue_drops->add();
      dirty_[keep++] = id;  // try again next time
      next_due = now;
    }
  }
  dirty_.resize(keep);
  next_quote_due_ = next_due;
}

}  // namespace harrier::roles::ingest
