// `harrier replay`: the demo until the full system exists. Replays tick files at a multiple of
// recorded speed through the bar engine and prints a live summary every second: replay time,
// tick rate, bars sealed per interval, the last sealed 1 m bar of each symbol with its
// indicators, late ticks and rejected lines. Runs until the data ends (or forever with --loop)
// or until SIGINT/SIGTERM.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <thread>

#include "cli/args.h"
#include "cli/bar_options.h"
#include "cli/commands.h"
#include "cli/subcommands.h"
#include "feed/pacer.h"
#include "indicators/bar_engine.h"

namespace harrier::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

class SummarySink final : public BarSink {
 public:
  void on_bar(SealedBar& s) override {
    ++sealed_[index_of(s.interval)];
    if (s.interval == Interval::k1m) {
      if (s.symbol >= last_1m_.size()) last_1m_.resize(s.symbol + 1);
      last_1m_[s.symbol] = s.bar;
    }
  }
  void on_sweep(SymbolId, const SweepEvent&) override { ++sweeps_; }

  std::array<std::uint64_t, kIntervalCount> sealed_{};
  std::vector<std::optional<Bar>> last_1m_;
  std::uint64_t sweeps_ = 0;
};

std::string format_utc(TimestampNs ts) {
  std::time_t secs = static_cast<std::time_t>(floor_div(ts, kNsPerSec));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return std::string(buf) + "Z";
}

void print_summary(const feed::Feed& feed, const BarEngine& engine, const SummarySink& sink,
                   TimestampNs replay_now, std::uint64_t ticks_in_period, double period_s) {
  const SealerStats& st = engine.stats();
  std::printf("\n[replay %s] %.0f ticks/s  ticks=%llu rejected=%llu late=%llu sweeps=%llu\n",
              format_utc(replay_now).c_str(), static_cast<double>(ticks_in_period) / period_s,
              static_cast<unsigned long long>(feed.stats().ticks),
              static_cast<unsigned long long>(feed.stats().rejected_total()),
              static_cast<unsigned long long>(st.late_ticks),
              static_cast<unsigned long long>(sink.sweeps_));
  std::printf("  bars sealed:");
  for (Interval iv : kAllIntervals) {
    std::printf(" %s=%llu", std::string(interval_name(iv)).c_str(),
                static_cast<unsigned long long>(sink.sealed_[index_of(iv)]));
  }
  std::printf("  (by clock %llu, forward-filled %llu)\n",
              static_cast<unsigned long long>(st.sealed_by_clock),
              static_cast<unsigned long long>(st.bars_filled));
  for (std::size_t id = 0; id < sink.last_1m_.size(); ++id) {
    if (!sink.last_1m_[id]) continue;
    const Bar& b = *sink.last_1m_[id];
    std::printf(
        "  %-6s 1m %s  O %.2f H %.2f L %.2f C %.2f  V %lld  vwap %.3f  ema9 %.3f ema21 %.3f  "
        "rsi14 %.1f  delta %+.0f\n",
        feed.symbols().name(static_cast<SymbolId>(id)).c_str(), format_utc(b.ts).c_str(), b.open,
        b.high, b.low, b.close_filled, static_cast<long long>(b.volume), b.vwap, b.ema9, b.ema21,
        b.rsi14, b.delta);
  }
  std::fflush(stdout);
}

}  // namespace

int run_replay(std::span<char*> args) {
  BarRunFlags flags;
  std::string speed_text = "10";
  bool loop = false;
  ArgParser p("harrier replay --replay FILE [--speed X] [--loop] [options]",
              "Replays tick files at a multiple of recorded speed through the bar engine and "
              "prints a live summary of sealed bars every second, until the data ends or Ctrl-C. "
              "This is what `make demo` runs until the full system exists.");
  flags.register_on(p);
  p.add_string("speed", "X", "multiple of recorded speed, or max (default 10)", &speed_text);
  p.add_flag("loop", "start again from the beginning when the data ends", &loop);
  if (auto code = p.parse_or_exit(args)) return *code;
  auto fail_usage = [](const Error& e) {
    std::fprintf(stderr, "harrier replay: %s\n", e.message().c_str());
    return kExitUsage;
  };
  auto speed = feed::parse_speed(speed_text);
  if (!speed) return fail_usage(std::move(speed).error().with_context("--speed"));
  auto replay = flags.replay_options();
  if (!replay) return fail_usage(replay.error());
  auto sealer = flags.sealer_options();
  if (!sealer) return fail_usage(sealer.error());

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const Clock& clock = SystemClock::instance();
  do {
    auto feed = feed::ReplayFeed::open(*replay);
    if (!feed) {
      std::fprintf(stderr, "harrier replay: %s\n", feed.error().to_string().c_str());
      return feed.error().code() == ErrorCode::kInvalidInput ? kExitUsage : kExitFailure;
    }
    SummarySink sink;
    BarEngine engine(*sealer, sink);
    feed::Pacer pacer(*speed);
    std::printf("harrier replay: %zu source(s) at %s speed; Ctrl-C to stop\n",
                replay->sources.size(), speed_text.c_str());
    Tick tick;
    TimestampNs replay_now = 0;
    std::int64_t last_print = clock.mono_ns();
    std::uint64_t ticks_at_print = 0;
    auto maybe_print = [&] {
      const std::int64_t now = clock.mono_ns();
      if (now - last_print < kNsPerSec) return;
      const std::uint64_t ticks = (*feed)->stats().ticks;
      print_summary(**feed, engine, sink, replay_now, ticks - ticks_at_print,
                    static_cast<double>(now - last_print) / 1e9);
      last_print = now;
      ticks_at_print = ticks;
    };
    while (!g_stop.load()) {
      auto more = (*feed)->next(tick);
      if (!more) {
        std::fprintf(stderr, "harrier replay: %s\n", more.error().to_string().c_str());
        return kExitFailure;
      }
      if (!*more) break;
      // Wait in slices so the clock keeps sealing quiet bars and the summary keeps printing.
      for (DurationNs wait = pacer.wait_ns(clock, tick.ts_ns); wait > 0 && !g_stop.load();
           wait = pacer.wait_ns(clock, tick.ts_ns)) {
        replay_now = std::max(
            replay_now, tick.ts_ns - static_cast<TimestampNs>(static_cast<double>(wait) * *speed));
        engine.on_clock(replay_now);
        maybe_print();
        std::this_thread::sleep_for(
            std::chrono::nanoseconds(std::min<DurationNs>(wait, 50 * kNsPerMs)));
      }
      replay_now = std::max(replay_now, tick.ts_ns);
      engine.on_clock(replay_now);
      engine.on_tick(tick, replay_now);
      maybe_print();
    }
    engine.finish(replay_now);
    print_summary(**feed, engine, sink, replay_now, 0, 1);
    std::printf("harrier replay: %s\n", g_stop.load() ? "stopped" : "end of data");
  } while (loop && !g_stop.load());
  return kExitOk;
}

}  // namespace harrier::cli
