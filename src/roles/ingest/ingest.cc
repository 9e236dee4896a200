#include "roles/ingest/ingest.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <thread>

#include "arrow/bar_codec.h"
#include "broker/tws/ib_feed.h"
#include "bus/bar_store.h"
#include "bus/keys.h"
#include "core/futex.h"
#include "core/log.h"
#include "core/spsc_queue.h"
#include "feed/pacer.h"
#include "feed/replay_feed.h"
#include "feed/sim_feed.h"
#include "feed/time_spec.h"
#include "indicators/bar_engine.h"
#include "roles/common/role.h"
#include "roles/ingest/market_clock.h"
#include "roles/ingest/seal_sink.h"

namespace harrier::roles::ingest {
namespace {

constexpr std::string_view kTag = "ingest";

Result<feed::ReplayOptions> replay_options(const Config& c) {
  feed::ReplayOptions o;
  for (const std::string& r : c.feed.path) {
    o.sources.push_back(feed::parse_replay_source(r));
  }
  o.symbols = c.feed.symbols;
  if (!c.feed.from.empty()) {
    auto t = feed::parse_time_spec(c.feed.from);
    if (!t) return std::move(t).error().with_context("key 'feed.from'");
    o.from_ns = *t;
  }
  if (!c.feed.to.empty()) {
    auto t = feed::parse_time_spec(c.feed.to);
    if (!t) return std::move(t).error().with_context("key 'feed.to'");
    o.to_ns = *t;
  }
  o.strict = c.feed.strict;
  o.backwards_tolerance_ns = c.feed.tolerance_ms * kNsPerMs;
  return o;
}

Result<SealerOptions> sealer_options(const Config& c) {
  SealerOptions o;
  o.grace_ns = c.bars.grace_ms * kNsPerMs;
  o.max_gap_fill_ns = c.bars.max_gap_fill_s * kNsPerSec;
  auto cal = SessionCalendar::make(c.bars.session_tz, c.bars.session_start);
  if (!cal)
    return std::move(cal).error().with_context("key 'bars.session_tz'/'bars.session_start'");
  o.session = *cal;
  auto pe = TradeRule::parse_flags(c.bars.price_exclude);
  if (!pe) return std::move(pe).error().with_context("key 'bars.price_exclude'");
  auto pr = TradeRule::parse_flags(c.bars.price_exclude_regular);
  if (!pr) return std::move(pr).error().with_context("key 'bars.price_exclude_regular'");
  auto ve = TradeRule::parse_flags(c.bars.volume_exclude);
  if (!ve) return std::move(ve).error().with_context("key 'bars.volume_exclude'");
  o.rule.price_exclude = *pe;
  o.rule.price_exclude_regular = *pr;
  o.rule.volume_exclude = *ve;
  return o;
}

Result<feed::SimOptions> sim_options(const Config& c, TimestampNs now_ns) {
  feed::SimOptions o;
  o.symbols = static_cast<std::uint32_t>(c.sim.symbols);
  o.rate = c.sim.rate;
  o.seed = static_cast<std::uint64_t>(c.sim.seed);
  o.open_burst = c.sim.open_burst;
  o.seconds = c.sim.seconds;
  o.trade_frac = c.sim.trade_frac;
  o.skew = c.sim.skew;
  if (c.sim.start == "now") {
    o.start_ns = now_ns;
  } else {
    auto t = feed::parse_time_spec(c.sim.start);
    if (!t) return std::move(t).error().with_context("key 'sim.start'");
    o.start_ns = *t;
  }
  return o;
}

// The pace of the configured feed: 0 = unpaced.
Result<double> feed_speed(const Config& c) {
  if (c.feed.kind == "ib") return 1.0;  // live: paced at speed 1, anchored at the first tick
  const bool sim = c.feed.kind == "sim";
  auto s = feed::parse_speed(sim ? c.sim.speed : c.feed.speed);
  if (!s) return std::move(s).error().with_context(sim ? "key 'sim.speed'" : "key 'feed.speed'");
  return *s;
}

Status validate(const Config& c) {
  HARRIER_TRY(sealer_options(c));
  HARRIER_TRY(feed_speed(c));
  if (c.feed.kind == "replay") HARRIER_TRY(replay_options(c));
  if (c.feed.kind == "ib") HARRIER_TRY(tws::ib_feed_options(c));
  if (c.feed.kind == "sim") {
    HARRIER_ASSIGN_OR_RETURN(feed::SimOptions so, sim_options(c, 1));
    if (auto st = feed::validate_sim_options(so); !st) {
      return std::move(st).error().with_context("key 'sim.*'");
    }
  }
  return ok();
}

// Everything the three threads share.
struct Pipeline {
  explicit Pipeline(RoleContext& c, double speed, std::size_t queue_capacity)
      : ctx(c), clock(c.clock, speed), queue(queue_capacity) {}
  RoleContext& ctx;
  MarketClock clock;
  SpscQueue<Tick> queue;
  WakeWord ticks_ready;  // bumped by the feed thread after each push; the bar thread sleeps on it
  // Paced feeds: the monotonic time the feed thread will release its next tick (set before it
  // waits), so the idle bar thread can be awake for it instead of waiting for a futex wake.
  std::atomic<std::int64_t> next_due_mono{0};
  std::atomic<bool> feed_done{false};
  std::atomic<bool> feed_failed{false};
};

// `session_start_ns` (the simulator's session start; 0 for a replay) anchors the pacing there,
// so a live-like session's ticks are released at their own timestamps, not one gap early.

// Puts the calling thread under SCHED_FIFO at `priority` (ingest.rt_priority; 0: leaves it).
// Refused without CAP_SYS_NICE or a high enough RLIMIT_RTPRIO: said once per thread, and the
// thread goes on under the normal scheduler.
void set_realtime(std::int64_t priority, std::string_view thread) {
  if (priority <= 0) return;
  if (int err = set_sched_fifo(static_cast<int>(priority)); err != 0) {
    log::warn(kTag,
              "ingest.rt_priority {}: the {} thread stays under the normal scheduler: {} (needs "
              "CAP_SYS_NICE or ulimit -r {})",
              priority, thread, std::strerror(err), priority);
    return;
  }
  log::info(kTag, "the {} thread runs at SCHED_FIFO priority {}", thread, priority);
}

// On the 2-core VM of issue #7 a page touched for the first time costs ~11 us to fault in (it
// traps to the hypervisor; ~0.2 us on bare metal), and the first seal of each window allocates
// a few KB (its batch message, the indicators' state): a 100-symbol minute boundary took ~110
// faults on the bar thread, 1.3 ms of its ~10. The calling thread's heap (glibc's main arena:
// the bar thread's) gets `bytes` faulted in at start and is never trimmed, so what it allocates
// later comes from touched pages. Costs that much resident memory: 4 MB and 64 KB a symbol
// (the first seals of a symbol's six windows take ~5 KB).
std::size_t prefault_bytes(std::size_t symbols) {
  return std::min<std::size_t>((4u << 20) + symbols * (64u << 10), 64u << 20);
}
void prefault_heap(std::size_t bytes) {
  // Freed memory stays in the heap, and blocks up to 64 MB come from it rather than from mmap.
  keep_heap();
  auto* p = static_cast<volatile char*>(std::malloc(bytes));
  if (p == nullptr) return;
  for (std::size_t i = 0; i < bytes; i += 4096) p[i] = 0;
  std::free(const_cast<char*>(p));
}

// `rebase_now`: a simulator started "now", whose start is moved to this thread's start so its
// exchange times are the wall clock's (stop trigger to exit is timed against the wall clock).
void feed_loop(Pipeline& p, feed::Feed& source, TimestampNs session_start_ns,
               feed::SimFeed* rebase_now, Counter& ticks_in, Counter& drops, Counter& rejected) {
  pthread_setname_np(pthread_self(), "feed");
  set_tight_timer_slack();
  feed::Pacer pacer(p.clock.speed());
  const Clock& wall = p.ctx.clock;
  if (rebase_now != nullptr) {
    session_start_ns = wall.now_ns();
    rebase_now->rebase(session_start_ns);
  }
  Tick tick;
  bool first = true;
  if (p.clock.paced() && session_start_ns != 0) {
    (void)pacer.wait_ns(wall, session_start_ns);
    p.clock.anchor(session_start_ns);
    first = false;
  }
  // Ticks handed over since the last wake of the bar thread. In a burst (ticks already due)
  // the wake, a locked instruction on a line the bar thread reads, is paid once per kWakeBatch
  // ticks; before any wait, and after every tick of a live source (whose next() may block),
  // the bar thread is woken at once.
  constexpr std::uint32_t kWakeBatch = 64;
  const bool live = source.live();
  std::uint32_t unwoken = 0;
  // Above kFeedSpinMaxRate ticks/s the gaps are shorter than the spin, so spinning would take a
  // whole core (which Redis and the other roles need on a small machine): the thread then only
  // sleeps, and a tick is released a wake-up late (tens of microseconds), still well inside
  // the lag budget at such rates. The rate is measured over ~100 ms.
  constexpr double kFeedSpinMaxRate = 12'000;
  bool spin = true;
  std::uint64_t released = 0, released_at = 0;
  std::int64_t rate_since = wall.mono_ns();
  auto wake = [&] {
    if (unwoken != 0) p.ticks_ready.wake();
    unwoken = 0;
  };
  while (!p.ctx.stopping()) {
    auto more = source.next(tick);
    if (!more) {
      log::error(kTag, "feed failed: {}", more.error().to_string());
      p.feed_failed.store(true);
      break;
    }
    if (!*more) break;
    if (p.clock.paced()) {
      // One clock read releases every tick up to the time it showed (a burst costs one read,
      // not one per tick). A tick in the future: sleep until kSpinMargin before it is due,
      // then spin, since a sleep alone wakes tens of microseconds late (on the 2-core VM of
      // issue #7: p50 22 us, p99 55 us late for a 200 us sleep with 1 ns timer slack), which
      // would show up as feed lag the engine did not cause.
      if (first || tick.ts_ns > pacer.due_through()) {
        DurationNs wait = pacer.wait_ns(wall, tick.ts_ns);
        if (wait > 0) {
          const std::int64_t now = wall.mono_ns();
          p.next_due_mono.store(now + wait, std::memory_order_relaxed);
          wake();
          if (now - rate_since >= 100 * kNsPerMs) {
            spin = static_cast<double>(released - released_at) * 1e9 /
                       static_cast<double>(now - rate_since) <=
                   kFeedSpinMaxRate;
            rate_since = now;
            released_at = released;
          }
        }
        for (; wait > 0 && !p.ctx.stopping(); wait = pacer.wait_ns(wall, tick.ts_ns)) {
          if (!spin) {
            // Release in batches: sleep at least kBatchSleep, then every tick due by then goes
            // at once. Spinning through gaps of a few microseconds took 0.7 of a core at
            // 200,000 ev/s, and on this VM a sleep itself costs tens of microseconds of CPU
            // (clock_nanosleep was 30% of all samples when it slept each gap, perf -a), so
            // neither may happen per tick. Costs up to kBatchSleep of feed lag at such rates.
            constexpr DurationNs kBatchSleep = 100 * kNsPerUs;
            std::this_thread::sleep_for(
                std::chrono::nanoseconds(std::clamp(wait, kBatchSleep, 20 * kNsPerMs)));
            break;  // everything due now is released without asking again
          } else if (wait > kSpinMargin + 10 * kNsPerUs) {
            std::this_thread::sleep_for(
                std::chrono::nanoseconds(std::min<DurationNs>(wait - kSpinMargin, 20 * kNsPerMs)));
          }
        }
      }
      if (first) p.clock.anchor(tick.ts_ns);
      first = false;
      if (!p.queue.try_push(tick)) drops.add();  // never block a live source
    } else {
      while (!p.queue.try_push(tick)) {  // an unpaced replay waits: nothing is lost
        if (p.ctx.stopping()) return;
        wake();
        std::this_thread::yield();
      }
    }
    ticks_in.add_owned();
    ++released;
    if (++unwoken >= kWakeBatch || live) {
      wake();
      rejected.set(source.stats().rejected_total());
    }
  }
  wake();
  rejected.set(source.stats().rejected_total());
  p.feed_done.store(true, std::memory_order_release);
}

// Keeps GuardedSymbols in step with stops:guarded, on its own connection so neither the bar
// thread nor the IO thread ever waits on it. It blocks on stream:entry_fire (plain XREAD, no
// group: P1 only looks) for at most kGuardedRefresh, and after every wake re-reads the set. The
// symbol of a new entry fill is guarded at once, before P3 has even opened its stop (P3 adds
// it to the set a little later), so the quote that crosses a stop in the first milliseconds of
// a position is on stream:quote too (the fill's time goes with it: the bar thread publishes the
// symbol's changes since then); such a provisional symbol stays guarded for kProvisional unless
// the set names it. A failed read keeps the last set.
constexpr std::int64_t kGuardedRefreshMs = 50;
constexpr DurationNs kProvisional = 2 * kNsPerSec;
void guarded_loop(RoleContext& ctx, GuardedSymbols& out) {
  pthread_setname_np(pthread_self(), "guarded");
  bus::Connection conn(ctx.redis, ctx.clock);
  log::LogEvery fail_log(10 * kNsPerSec);
  const std::string key = bus::keys::stops_guarded();
  const std::string_view entries = bus::keys::stream_name(bus::keys::Stream::kEntryFire);
  const std::string block = std::to_string(kGuardedRefreshMs);
  std::string last_id = "$";
  std::map<std::string, std::int64_t, std::less<>> provisional;  // symbol -> until (mono)
  auto failed = [&](std::string_view what, const Error& e) {
    if (fail_log.allow(ctx.clock.mono_ns())) {
      log::warn(kTag, "{}: {} (keeping the last guarded set)", what, e.to_string());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kGuardedRefreshMs));
  };
  while (!ctx.stopping()) {
    auto fills =
        conn.command({"XREAD", "COUNT", "256", "BLOCK", block, "STREAMS", entries, last_id},
                     (kGuardedRefreshMs + 1000) * kNsPerMs);
    if (!fills) {
      failed("XREAD stream:entry_fire", fills.error());
      continue;
    }
    const std::int64_t now = ctx.clock.mono_ns();
    if (!fills->is_nil() && fills->array() && fills->size() == 1) {
      // [[stream, [[id, [f, v, ...]], ...]]]
      auto parsed = bus::parse_entries(fills->at(0).at(1));
      if (parsed) {
        for (const bus::StreamEntry& e : *parsed) {
          last_id = e.id;
          if (auto fill = bus::decode_entry_fire(e.fields)) {
            out.note_fill(fill->sym, fill->ts_ns);  // before set(): the changes since it
            provisional[fill->sym] = now + kProvisional;
            continue;
          }
          for (const auto& [f, v] : e.fields) {
            if (f == "sym") provisional[v] = now + kProvisional;
          }
        }
      }
    } else if (last_id == "$") {
      // Nothing yet: remember where the stream is now, so an entry written while the set is
      // read below is not missed by the next XREAD. An empty stream (or none) is read from its
      // start: "$" again would miss the first fill written between two XREADs.
      auto top = conn.command({"XREVRANGE", entries, "+", "-", "COUNT", "1"});
      if (top && top->array()) {
        if (auto parsed = bus::parse_entries(top->view()); parsed) {
          last_id = parsed->empty() ? "0-0" : parsed->front().id;
        }
      }
    }
    auto r = conn.command({"SMEMBERS", key});
    if (!r || !r->array()) {
      failed("SMEMBERS " + key, r ? r->array().error() : r.error());
      continue;
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < r->size(); ++i) {
      if (auto s = r->at(i).string()) names.emplace_back(*s);
    }
    for (auto it = provisional.begin(); it != provisional.end();) {
      const bool named = std::find(names.begin(), names.end(), it->first) != names.end();
      if (named || now >= it->second) {
        it = provisional.erase(it);
      } else {
        names.push_back(it->first);
        ++it;
      }
    }
    out.set(std::move(names));
  }
}

int body(RoleContext& ctx) {
  const Config& c = ctx.config;
  auto sealer_opts = sealer_options(c);
  const double speed = *feed_speed(c);

  std::unique_ptr<feed::Feed> source;
  TimestampNs session_start_ns = 0;
  feed::SimFeed* rebase_now = nullptr;
  if (c.feed.kind == "replay") {
    auto opened = feed::ReplayFeed::open(*replay_options(c));
    if (!opened) {
      // A file that is missing or not a tick file is a config error (feed.path), not a crash.
      const bool config_error = opened.error().code() == ErrorCode::kInvalidInput ||
                                opened.error().code() == ErrorCode::kNotFound;
      std::fprintf(stderr, "harrier ingest: config: key 'feed.path': %s\n",
                   opened.error().message().c_str());
      return config_error ? 2 : 1;
    }
    source = std::move(opened).value();
  } else if (c.feed.kind == "ib") {
    auto opened = tws::IbFeed::open(c, ctx.clock, [&ctx] { return ctx.stopping(); });
    if (!opened) {
      std::fprintf(stderr, "harrier ingest: %s\n", opened.error().to_string().c_str());
      return 2;
    }
    source = std::move(opened).value();
  } else {
    feed::SimOptions so = *sim_options(c, ctx.clock.now_ns());
    session_start_ns = so.start_ns;
    auto opened = feed::SimFeed::open(so);
    if (!opened) {
      std::fprintf(stderr, "harrier ingest: config: key 'sim.*': %s\n",
                   opened.error().message().c_str());
      return 2;
    }
    source = std::move(opened).value();
    if (c.sim.start == "now" && speed > 0) rebase_now = static_cast<feed::SimFeed*>(source.get());
  }

  Metrics& m = ctx.metrics;
  Counter& ticks_in = m.counter("ticks_in", "ticks released by the feed");
  Counter& drops = m.counter("ticks_dropped", "ticks dropped: feed-to-bar queue full");
  Counter& rejected = m.counter("ticks_rejected", "input lines rejected by the feed");
  Counter& processed = m.counter("ticks_processed", "ticks through the bar engine");
  Counter& late = m.counter("late_ticks", "ticks late for at least one interval");
  Gauge& depth = m.gauge("queue_depth", "ticks waiting in the feed-to-bar queue");
  Histogram& feed_lag = m.histogram("feed_lag_us", "tick processed minus its exchange time");
  SinkMetrics sm;
  sm.bars_sealed = &m.counter("bars_sealed", "bars sealed (all intervals)");
  sm.seals_submitted = &m.counter("seals_submitted", "seals handed to the IO thread");
  sm.seal_queue_drops =
      &m.counter("io_queue_drops", "writes dropped: IO queue full, or a quote change, entry full");
  sm.encode_errors = &m.counter("encode_errors", "bar windows that failed to encode");
  sm.sweeps = &m.counter("sweeps", "tape sweeps published");
  sm.quote_writes = &m.counter("quote_writes", "coalesced quote:{sym} writes");
  sm.quote_events = &m.counter("quote_events", "stream:quote entries (symbols in stops:guarded)");
  sm.quote_changes = &m.counter("quote_changes", "price changes the stream:quote entries carry");
  sm.seal_delay = &m.histogram(
      "seal_delay_us", "closing tick (or the clock deadline: bar end + grace) to the seal encoded");
  sm.bar_end_to_seal = &m.histogram("bar_end_to_seal_us",
                                    "bar end to the seal (includes the wait for the closing tick)");
  sm.closing_tick_lag = &m.histogram("closing_tick_lag_us",
                                     "a closing tick's exchange time to the bar thread taking it");
  sm.seal_work = &m.histogram("seal_work_us",
                              "the bar thread taking a closing tick to its seals handed to IO");
  Counter& seals_written = m.counter("seals_written", "seals applied by Redis");
  Counter& backlog_drops = m.counter("backlog_drops", "writes dropped while Redis was down");
  Counter& write_failures = m.counter("write_failures", "pipelines cut off by Redis failures");
  Gauge& backlog = m.gauge("io_backlog", "writes waiting for Redis");
  Histogram& committed = m.histogram(
      "publish_to_commit_us",
      "a seal's pipeline start (new_bar published_ns) to Redis running its transaction, by "
      "Redis' clock (none from a Redis on another machine)");

  bus::IoWorkerOptions io_opts;
  io_opts.backlog_capacity = static_cast<std::size_t>(c.ingest.backlog_max);
  io_opts.backlog_max_bytes = static_cast<std::size_t>(c.ingest.backlog_max_mb) << 20;
  io_opts.stream_maxlen = static_cast<std::size_t>(c.ingest.stream_maxlen);
  // Room for every buffer SealSink makes, and for the ones a busy boundary mallocs beyond them.
  io_opts.spare_buffers = SealSink::prepared_buffers(source->symbols().size()) + 256;
  io_opts.on_seal_committed = [&committed](DurationNs ns) { committed.record(ns); };
  bus::IoWorker io(ctx.redis, io_opts, ctx.clock);
  io.start();

  Pipeline p(ctx, speed, static_cast<std::size_t>(c.feed.queue_capacity));
  SealSinkOptions so;
  so.window = static_cast<std::size_t>(c.bars.window);
  so.quote_min_interval_ns = c.ingest.quote_min_interval_ms * kNsPerMs;
  GuardedSymbols guarded;
  SealSink sink(so, source->symbols(), io, p.clock, ctx.clock, sm, &guarded);
  BarEngine engine(*sealer_opts, sink);

  prefault_heap(prefault_bytes(source->symbols().size()));
  ctx.mark_ready();
  set_tight_timer_slack();
  std::thread guarded_thread([&] { guarded_loop(ctx, guarded); });
  std::thread feed_thread([&] {
    set_realtime(c.ingest.rt_priority, "feed");
    feed_loop(p, *source, session_start_ns, rebase_now, ticks_in, drops, rejected);
  });
  pthread_setname_np(pthread_self(), "bars");
  // After the IO and guard threads started, so they keep the normal scheduler.
  set_realtime(c.ingest.rt_priority, "bar");

  TimestampNs market_now = 0;
  bool finished = false;
  std::int64_t next_stats = 0;
  // Ticks per second over the last stats period: above kSpinMaxRate the bar thread does not
  // stay awake between ticks (the gaps are so short that it would spin all the time and take a
  // core the IO thread, Redis and the other roles need on a small machine).
  constexpr double kSpinMaxRate = 12'000;
  double recent_rate = 0;
  std::uint64_t processed_at_stats = 0;
  int idle_rounds = 0;
  // An unpaced replay must not outrun Redis: past this many unwritten seals the bar thread
  // waits for the IO thread instead of filling the backlog (a live feed never waits).
  const std::uint64_t max_inflight = 4 * io_opts.max_pipeline;
  auto inflight = [&] {
    bus::IoWorkerStats s = io.stats();
    const std::uint64_t settled = s.written + s.rejected + s.backlog_drops + s.verified_applied;
    const std::uint64_t submitted = sm.seals_submitted->value();
    return submitted > settled ? submitted - settled : 0;
  };
  while (true) {
    int n = 0;
    while (!p.clock.paced() && !ctx.stopping() && inflight() > max_inflight) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    sink.refresh_guarded();
    while (Tick* t = p.queue.front()) {
      if (p.clock.paced()) {
        // The clock is read every 16 ticks, whenever a tick is newer than the last reading,
        // and for a tick that may close a bar: a tick's lag is then understated by at most 15
        // ticks' processing (a burst does not pay a clock read per tick), a closing tick's
        // not at all, so its seal delay splits exactly into its wait and the work after it.
        if ((n & 15) == 0 || t->ts_ns > market_now || engine.may_seal(*t)) {
          market_now = std::max(market_now, p.clock.now());
        }
        const double lag = static_cast<double>(market_now - t->ts_ns) / speed;
        feed_lag.record_owned(static_cast<DurationNs>(std::max(0.0, lag)));
      } else {
        market_now = std::max(market_now, t->ts_ns);
      }
      engine.on_clock(market_now);
      sink.set_taken(market_now);
      engine.on_tick(*t, market_now);
      sink.on_tick(*t);
      p.queue.pop();
      processed.add_owned();
      if (++n == 256) break;
    }
    if (p.clock.paced() && p.clock.anchored()) {
      market_now = std::max(market_now, p.clock.now());
      engine.on_clock(market_now);
    }
    sink.flush_quotes();
    const std::int64_t mono = ctx.clock.mono_ns();
    if (mono >= next_stats) {
      recent_rate = static_cast<double>(processed.value() - processed_at_stats) * 10.0;
      processed_at_stats = processed.value();
      next_stats = mono + 100 * kNsPerMs;
      late.set(engine.stats().late_ticks);
      depth.set(static_cast<double>(p.queue.size()));
      bus::IoWorkerStats s = io.stats();
      seals_written.set(s.written);
      backlog_drops.set(s.backlog_drops);
      write_failures.set(s.write_failures);
      backlog.set(static_cast<double>(s.backlog));
    }
    const bool drained = p.feed_done.load(std::memory_order_acquire) && p.queue.front() == nullptr;
    if (drained && !finished) {
      engine.finish(market_now);
      sink.flush_quotes(true);
      finished = true;
      log::info(kTag, "feed finished: {} ticks, {} rejected, {} bars sealed; idle until stopped",
                source->stats().ticks, source->stats().rejected_total(),
                engine.stats().bars_sealed);
    }
    if (ctx.stopping()) break;  // what is still queued is dropped; the IO backlog is flushed
    if (n > 0) {
      idle_rounds = 0;
      continue;
    }
    // Idle: spin briefly (a tick a few microseconds away is caught without a syscall), then
    // sleep on the wake word until the feed pushes, or at most 1 ms so the clock keeps sealing
    // quiet bars on time.
    // Above kSpinMaxRate the feed hands ticks over in batches (see feed_loop) and wakes this
    // thread for each: a long idle spin between batches would only burn the core.
    if (++idle_rounds < (recent_rate <= kSpinMaxRate ? 200 : 8)) continue;
    // Sleep at most 1 ms, and no later than the next clock seal is due (a quiet symbol's bar is
    // sealed at its end + grace, not up to a millisecond after).
    DurationNs timeout = finished ? 50 * kNsPerMs : kNsPerMs;
    if (!finished && p.clock.paced() && p.clock.anchored()) {
      const TimestampNs deadline = engine.next_deadline();
      const double until = static_cast<double>(deadline - market_now) / speed;
      if (until < static_cast<double>(timeout)) {
        timeout = static_cast<DurationNs>(std::max(0.0, until));
      }
      // A futex wake-up costs tens of microseconds on a busy machine, which is feed lag. When
      // the feed's next tick is due within kSpinLead, stay awake for it (the feed thread spins
      // as long before releasing it); otherwise sleep until kSpinLead before it. A due time
      // more than kSpinLead in the past means the feed is late: sleep, it wakes us.
      constexpr DurationNs kSpinLead = kSpinMargin;
      const DurationNs lead = p.next_due_mono.load(std::memory_order_relaxed) - ctx.clock.mono_ns();
      if (recent_rate <= kSpinMaxRate) {
        if (lead > -kSpinLead && lead <= kSpinLead) continue;
        if (lead > kSpinLead) timeout = std::min(timeout, lead - kSpinLead);
      }
    }
    const std::uint32_t seen = p.ticks_ready.snapshot();
    if (timeout > 0 && p.queue.front() == nullptr) p.ticks_ready.wait(seen, timeout);
    idle_rounds = 0;
  }
  feed_thread.join();
  guarded_thread.join();
  sink.flush_quotes(true);
  io.stop(c.manager.stop_grace_ms * kNsPerMs);
  bus::IoWorkerStats s = io.stats();
  seals_written.set(s.written);
  log::info(kTag, "stopped: {} seals written, {} still in backlog, {} dropped", s.written,
            s.backlog, s.backlog_drops + s.queue_drops);
  if (p.feed_failed.load()) return 1;
  return 0;
}

}  // namespace

int run(std::span<char*> args) {
  return run_role(args, "ingest",
                  "P1: reads ticks (feed.kind replay, sim or ib), seals bars on six intervals with "
                  "indicators, and writes them to Redis as Arrow IPC (bars:{sym}:{iv}, "
                  "bundle:{sym}), quotes to quote:{sym}, and announces each seal on "
                  "stream:new_bar.",
                  body, validate);
}

}  // namespace harrier::roles::ingest
