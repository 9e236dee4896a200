// Micro benchmarks of the Redis bus against a real local redis-server that this program starts
// itself (tests/support). Every figure is read next to a raw PING round trip measured in the same
// run (counter ping_us, and each benchmark's ratio to it):
//   BM_RawPing          raw hiredis PING round trip (the baseline)
//   BM_BusPing          bus::Connection::ping
//   BM_RawSetGet        raw hiredis SET + GET of a 120x45-double window (43,200 bytes)
//   BM_BusSetGet        the same bytes through bus::Connection (SET, then GET copied out)
//   BM_StreamWake       XADD on this thread -> XREADGROUP BLOCK wake on another; p50/p99 us
//   BM_SealWake         one seal of a 43,200-byte window (MULTI SET HSET HSET XADD EXEC, as P1's
//                       IO thread writes it) -> the XREADGROUP BLOCK wake of its new_bar entry on
//                       another thread; p50/p99 us: the floor of issue #7's "new_bar -> P2 wake"
//   BM_SealPipeline     seals (6 commands, MULTI/EXEC each) pipelined 64 at a time; seals/s
// Raw hiredis is included here only as the baseline the issue asks for ("redis-benchmark-like
// code"); Harrier code reaches Redis through bus/ only.
#include <benchmark/benchmark.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "bus/bar_store.h"
#include "bus/connection.h"
#include "bus/keys.h"
#include "bus/latency_histogram.h"
#include "bus/streams.h"
#include "support/redis_server.h"

namespace harrier::bus {
namespace {

harrier::testing::RedisServer* g_server = nullptr;
constexpr std::size_t kWindowBytes = 120 * 45 * sizeof(double);

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct RawCtx {
  RawCtx() { c = redisConnect("127.0.0.1", g_server->port()); }
  ~RawCtx() { redisFree(c); }
  redisContext* c;
};

ConnectionConfig config() {
  ConnectionConfig cfg;
  cfg.url = g_server->url();
  return cfg;
}

// Median raw PING round trip in ns over n pings, measured now.
double raw_ping_ns(int n = 2000) {
  RawCtx raw;
  LatencyHistogram h;
  for (int i = 0; i < n; ++i) {
    std::int64_t t0 = now_ns();
    auto* r = static_cast<redisReply*>(redisCommand(raw.c, "PING"));
    h.record(now_ns() - t0);
    freeReplyObject(r);
  }
  return static_cast<double>(h.p50());
}

void report_ping(benchmark::State& state, double per_op_ns) {
  double ping = raw_ping_ns();
  state.counters["ping_us"] = ping / 1e3;
  state.counters["x_ping"] = per_op_ns / ping;
}

double per_iter_ns(std::int64_t t0, std::int64_t t1, benchmark::State& state) {
  return static_cast<double>(t1 - t0) / static_cast<double>(state.iterations());
}

void BM_RawPing(benchmark::State& state) {
  RawCtx raw;
  std::int64_t t0 = now_ns();
  for (auto _ : state) {
    auto* r = static_cast<redisReply*>(redisCommand(raw.c, "PING"));
    benchmark::DoNotOptimize(r);
    freeReplyObject(r);
  }
  report_ping(state, per_iter_ns(t0, now_ns(), state));
}
BENCHMARK(BM_RawPing)->UseRealTime();

void BM_BusPing(benchmark::State& state) {
  Connection c(config());
  std::int64_t t0 = now_ns();
  for (auto _ : state) {
    auto r = c.ping();
    if (!r) state.SkipWithError(r.error().to_string().c_str());
  }
  report_ping(state, per_iter_ns(t0, now_ns(), state));
}
BENCHMARK(BM_BusPing)->UseRealTime();

void BM_RawSetGet(benchmark::State& state) {
  RawCtx raw;
  std::string payload(kWindowBytes, 'w');
  std::string out;
  std::int64_t t0 = now_ns();
  for (auto _ : state) {
    const char* set_argv[] = {"SET", "bars:BENCH:1s", payload.data()};
    std::size_t set_len[] = {3, 13, payload.size()};
    freeReplyObject(redisCommandArgv(raw.c, 3, set_argv, set_len));
    const char* get_argv[] = {"GET", "bars:BENCH:1s"};
    std::size_t get_len[] = {3, 13};
    auto* r = static_cast<redisReply*>(redisCommandArgv(raw.c, 2, get_argv, get_len));
    out.assign(r->str, r->len);  // the caller keeps the bytes, as the bus does
    freeReplyObject(r);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * kWindowBytes));
  report_ping(state, per_iter_ns(t0, now_ns(), state));
}
BENCHMARK(BM_RawSetGet)->UseRealTime();

void BM_BusSetGet(benchmark::State& state) {
  Connection c(config());
  std::string payload(kWindowBytes, 'w');
  std::string key = keys::bars("BENCH", Interval::k1s);
  std::string out;  // reused, as the raw baseline reuses its buffer
  std::int64_t t0 = now_ns();
  for (auto _ : state) {
    auto set = c.command({"SET", key, payload});
    auto got = read_interval_into(c, "BENCH", Interval::k1s, out);
    if (!set || !got || !*got) state.SkipWithError("SET/GET failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * kWindowBytes));
  report_ping(state, per_iter_ns(t0, now_ns(), state));
}
BENCHMARK(BM_BusSetGet)->UseRealTime();

// The wake figures of a run beside a raw PING measured right after it.
void report_wake(benchmark::State& state, const LatencyHistogram& wake) {
  double ping = raw_ping_ns();
  state.counters["ping_us"] = ping / 1e3;
  state.counters["wake_p50_us"] = static_cast<double>(wake.p50()) / 1e3;
  state.counters["wake_p99_us"] = static_cast<double>(wake.p99()) / 1e3;
  state.counters["p50_x_ping"] = static_cast<double>(wake.p50()) / ping;
}

void BM_StreamWake(benchmark::State& state) {
  const std::string stream = "bench:wake";
  Connection admin(config());
  (void)admin.command({"DEL", stream});
  if (!ensure_group(admin, stream, "g", "$")) state.SkipWithError("XGROUP failed");
  std::atomic<std::int64_t> received{0};
  std::atomic<bool> stop{false};
  LatencyHistogram wake;  // written by the reader thread only, read after join
  std::thread reader([&] {
    Connection r(config());
    while (!stop.load(std::memory_order_acquire)) {
      auto got = read_group(r, stream, "g", "c", 16, 100);
      if (!got) continue;
      std::int64_t t = now_ns();
      for (const auto& e : *got) {
        wake.record(t - std::stoll(e.fields[0].second));
        received.fetch_add(1, std::memory_order_release);
      }
    }
  });
  Connection w(config());
  std::int64_t sent = 0;
  for (auto _ : state) {
    std::string ts = std::to_string(now_ns());
    if (!xadd(w, stream, {{"t", ts}}, 10000)) state.SkipWithError("XADD failed");
    ++sent;
    while (received.load(std::memory_order_acquire) < sent) {
    }
  }
  stop.store(true, std::memory_order_release);
  (void)xadd(w, stream, {{"t", std::to_string(now_ns())}}, 10000);  // unblock the reader
  reader.join();
  report_wake(state, wake);
}
BENCHMARK(BM_StreamWake)->UseRealTime();

void BM_SealWake(benchmark::State& state) {
  const std::string stream(keys::stream_name(keys::Stream::kNewBar));
  Connection admin(config());
  (void)admin.command({"DEL", stream});
  if (!ensure_group(admin, stream, "g", "$")) state.SkipWithError("XGROUP failed");
  std::atomic<std::int64_t> sent_at{0}, received{0};
  std::atomic<bool> stop{false};
  LatencyHistogram wake;  // reader thread only, read after join
  std::thread reader([&] {
    Connection r(config());
    while (!stop.load(std::memory_order_acquire)) {
      auto got = read_group(r, stream, "g", "c", 16, 100);
      if (!got || got->empty()) continue;
      wake.record(now_ns() - sent_at.load(std::memory_order_acquire));
      received.fetch_add(static_cast<std::int64_t>(got->size()), std::memory_order_release);
    }
  });
  Connection w(config());
  Seal seal;
  seal.sym = "SPY";
  seal.iv = Interval::k1s;
  seal.bars.assign(kWindowBytes, 'b');
  CommandBatch batch;
  EncodedSeal enc;
  std::vector<Reply> replies;
  std::int64_t sent = 0;
  for (auto _ : state) {
    seal.seq = sent;
    batch.clear();
    sent_at.store(now_ns(), std::memory_order_release);  // as P1 stamps published_ns
    append_seal(batch, seal, enc, 10000);
    if (!w.run(batch, replies)) state.SkipWithError("seal failed");
    ++sent;
    while (received.load(std::memory_order_acquire) < sent) {
    }
  }
  stop.store(true, std::memory_order_release);
  (void)xadd(w, stream, {{"t", "0"}}, 10000);  // unblock the reader
  reader.join();
  report_wake(state, wake);
}
BENCHMARK(BM_SealWake)->UseRealTime();

void BM_SealPipeline(benchmark::State& state) {
  Connection c(config());
  constexpr std::size_t kBatch = 64;
  std::vector<Seal> seals(kBatch);
  for (std::size_t i = 0; i < kBatch; ++i) {
    seals[i].sym = "S" + std::to_string(i % 8);
    seals[i].iv = kAllIntervals[i % kIntervalCount];
    seals[i].bars.assign(kWindowBytes, 'b');
  }
  CommandBatch batch;
  std::vector<EncodedSeal> enc(kBatch);
  std::vector<Reply> replies;
  std::int64_t seq = 0;
  for (auto _ : state) {
    batch.clear();
    for (std::size_t i = 0; i < kBatch; ++i) {
      seals[i].seq = seq++;
      append_seal(batch, seals[i], enc[i], 10000);
    }
    if (!c.run(batch, replies)) state.SkipWithError("pipeline failed");
    for (std::size_t i = 0; i < kBatch; ++i) {
      if (!check_seal_replies(replies, i * kCommandsPerSeal, batch)) {
        state.SkipWithError("seal refused");
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kBatch));
  state.counters["seals_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * static_cast<std::int64_t>(kBatch)),
      benchmark::Counter::kIsRate);
  state.counters["ping_us"] = raw_ping_ns() / 1e3;
}
BENCHMARK(BM_SealPipeline)->UseRealTime();

}  // namespace
}  // namespace harrier::bus

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  auto server = harrier::testing::RedisServer::start();
  if (!server) {
    std::fprintf(stderr, "bus_bench: %s\n", server.error().to_string().c_str());
    return 1;
  }
  harrier::bus::g_server = server->get();
#ifdef HARRIER_SANITIZED
  std::fprintf(stderr, "bus_bench: WARNING: sanitizer build, figures are not representative\n");
#endif
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
