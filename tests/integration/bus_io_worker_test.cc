// The P1 IO worker against a real redis-server: seals flushed in order, a full queue and a full
// backlog counted as drops, and the server killed and restarted while seals keep coming (the
// backlog is flushed in order and no seal is written twice or lost).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "bus/io_worker.h"
#include "bus/keys.h"
#include "bus/streams.h"
#include "bus_test_util.h"

namespace harrier::bus {
namespace {

using test::fast_config;

Seal seal_n(std::int64_t seq) {
  Seal s;
  s.sym = "SPY";
  s.iv = Interval::k1s;
  s.seq = seq;
  s.bar_start_ns = seq * kNsPerSec;
  s.sealed_ns = s.bar_start_ns + kNsPerSec + 5;
  s.bars = "bars-" + std::to_string(seq);
  s.quote.ts_ns = seq;
  return s;
}

// Every event of E's stream, decoded, in stream order.
template <typename E>
std::vector<E> stream_events(Connection& c) {
  std::vector<E> out;
  auto r = c.command({"XRANGE", keys::stream_name(E::kStream), "-", "+"});
  EXPECT_TRUE(r) << r.error().to_string();
  if (!r) return out;
  auto entries = parse_entries(r->view());
  EXPECT_TRUE(entries);
  if (!entries) return out;
  for (const auto& e : *entries) {
    auto ev = decode<E>(e.fields);
    EXPECT_TRUE(ev) << ev.error().to_string();
    if (ev) out.push_back(std::move(ev).value());
  }
  return out;
}

// The seq of every new_bar event in stream order.
std::vector<std::int64_t> stream_seqs(Connection& c) {
  std::vector<std::int64_t> out;
  for (const NewBarEvent& ev : stream_events<NewBarEvent>(c)) out.push_back(ev.seq);
  return out;
}

std::vector<std::int64_t> iota(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> v;
  for (std::int64_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

class BusIoWorker : public test::RedisSuite {};

TEST_F(BusIoWorker, FlushesInOrderAndCountsQueueDrops) {
  IoWorkerOptions opts;
  opts.queue_capacity = 8;
  opts.max_pipeline = 3;
  IoWorker w(fast_config(server().url()), opts);  // no thread: do_work() on this thread
  for (int i = 0; i < 10; ++i) w.submit(seal_n(i));
  EXPECT_EQ(w.stats().submitted, 8u);
  EXPECT_EQ(w.stats().queue_drops, 2u);
  int rounds = 0;
  while (!w.idle() && rounds < 100) {
    w.do_work();
    ++rounds;
  }
  EXPECT_EQ(rounds, 3);  // 8 seals in pipelines of 3
  EXPECT_EQ(w.stats().written, 8u);
  Connection c(fast_config(server().url()));
  EXPECT_EQ(stream_seqs(c), iota(0, 8));
  auto bars = read_interval(c, "SPY", Interval::k1s);
  ASSERT_TRUE(bars && bars->has_value());
  EXPECT_EQ(**bars, "bars-7");
}

// Each seal Redis applied reports how long after its pipeline started Redis ran it, by Redis'
// clock (here this machine's): once per seal, never negative, within the test's own span.
TEST_F(BusIoWorker, EachWrittenSealReportsWhenRedisRanIt) {
  IoWorkerOptions opts;
  opts.max_pipeline = 2;
  std::vector<DurationNs> landed;
  opts.on_seal_committed = [&](DurationNs ns) { landed.push_back(ns); };
  IoWorker w(fast_config(server().url()), opts);  // do_work() on this thread
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(w.submit(seal_n(i)));
  ASSERT_TRUE(w.submit_quote("SPY", QuoteSnapshot{1, 2, 3, 4, 1.5, 9}));  // not a seal
  const std::int64_t t0 = SystemClock::instance().mono_ns();
  while (!w.idle()) w.do_work();
  const DurationNs span = SystemClock::instance().mono_ns() - t0;
  ASSERT_EQ(w.stats().written, 5u);
  ASSERT_EQ(landed.size(), 5u);
  for (DurationNs ns : landed) {
    EXPECT_GE(ns, 0);
    EXPECT_LE(ns, span + kNsPerMs);  // the clocks differ in rate by far less than a ms here
  }
}

// A written seal's bar buffer comes back to the producer for the next seal (no allocation on
// the bar thread); before anything is written there is none.
TEST_F(BusIoWorker, WrittenSealsBuffersComeBackToTheProducer) {
  IoWorker w(fast_config(server().url()), IoWorkerOptions{});  // do_work() on this thread
  EXPECT_EQ(w.take_buffer().capacity(), std::string().capacity());
  Seal s = seal_n(1);
  s.bars.assign(40000, 'b');
  ASSERT_TRUE(w.submit(std::move(s)));
  while (!w.idle()) w.do_work();
  ASSERT_EQ(w.stats().written, 1u);
  std::string back = w.take_buffer();
  EXPECT_GE(back.capacity(), 40000u);
  EXPECT_EQ(w.take_buffer().capacity(), std::string().capacity());  // only one came back
  Connection c(fast_config(server().url()));
  auto bars = read_interval(c, "SPY", Interval::k1s);
  ASSERT_TRUE(bars && bars->has_value());
  EXPECT_EQ(**bars, std::string(40000, 'b'));
}

TEST_F(BusIoWorker, ThreadWritesWhatIsSubmitted) {
  IoWorker w(fast_config(server().url()), IoWorkerOptions{});
  w.start();
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(w.submit(seal_n(i)));
  w.stop(5 * kNsPerSec);
  EXPECT_EQ(w.stats().written, 500u);
  EXPECT_EQ(w.stats().backlog, 0u);
  Connection c(fast_config(server().url()));
  EXPECT_EQ(stream_seqs(c), iota(0, 500));
}

QuoteEvent change(std::string sym, TimestampNs ts, double bid) {
  return QuoteEvent{std::move(sym), bid, bid + 0.01, 100, 200, bid, ts, {}};
}

// Changes of a symbol published while its entry waits for a pipeline join that entry, oldest
// first in its path, newest in its fields; once the entry is taken the next change starts a new
// one. No change is lost and none is written twice.
TEST_F(BusIoWorker, QuoteChangesJoinTheirSymbolsWaitingEntry) {
  IoWorker w(fast_config(server().url()), IoWorkerOptions{});  // do_work() on this thread
  using QC = IoWorker::QuoteChange;
  EXPECT_EQ(w.submit_quote_change(0, change("SPY", 10, 100.0)), QC::kQueued);
  EXPECT_EQ(w.submit_quote_change(0, change("SPY", 11, 99.5)), QC::kJoined);
  EXPECT_EQ(w.submit_quote_change(3, change("QQQ", 12, 50.0)), QC::kQueued);
  ASSERT_TRUE(w.submit(seal_n(1)));
  EXPECT_EQ(w.submit_quote_change(0, change("SPY", 13, 100.5)), QC::kJoined);
  while (!w.idle()) w.do_work();
  EXPECT_EQ(w.submit_quote_change(0, change("SPY", 14, 101.0)), QC::kQueued);
  while (!w.idle()) w.do_work();
  EXPECT_EQ(w.stats().events_written, 3u);
  EXPECT_EQ(w.stats().written, 1u);
  Connection c(fast_config(server().url()));
  auto q = stream_events<QuoteEvent>(c);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].sym, "SPY");
  EXPECT_EQ(q[0].ts_ns, 13);
  EXPECT_EQ(q[0].bid, 100.5);
  ASSERT_EQ(q[0].path.size(), 2u);
  EXPECT_EQ(q[0].path[0], (QuotePoint{10, 100.0, 100.01, 100.0}));
  EXPECT_EQ(q[0].path[1], (QuotePoint{11, 99.5, 99.51, 99.5}));
  EXPECT_EQ(q[1].sym, "QQQ");
  EXPECT_TRUE(q[1].path.empty());
  EXPECT_EQ(q[2].ts_ns, 14);
  EXPECT_TRUE(q[2].path.empty());
}

// A pipeline's stream:quote entries reach a reader blocked on the stream in one reply (Redis
// serves a blocked reader after each command, so entries sent as commands of their own woke it
// with the first alone), in the order their symbols first changed, and the seal and sweep of
// the same pipeline land too.
TEST_F(BusIoWorker, APipelinesQuoteEntriesWakeABlockedReaderOnce) {
  IoWorker w(fast_config(server().url()), IoWorkerOptions{});  // do_work() on this thread
  using QC = IoWorker::QuoteChange;
  ASSERT_TRUE(w.submit(seal_n(1)));
  EXPECT_EQ(w.submit_quote_change(0, change("SPY", 10, 100.0)), QC::kQueued);
  ASSERT_TRUE(w.submit_event(keys::Stream::kSweep, encode(SweepEvent{"SPY", Side::kBuy, 2, 3, 4})));
  EXPECT_EQ(w.submit_quote_change(1, change("QQQ", 11, 50.0)), QC::kQueued);
  EXPECT_EQ(w.submit_quote_change(2, change("IWM", 12, 20.0)), QC::kQueued);
  EXPECT_EQ(w.submit_quote_change(0, change("SPY", 13, 100.5)), QC::kJoined);

  Connection reader(fast_config(server().url()));
  Connection admin(fast_config(server().url()));
  std::thread blocked([&] {
    auto r = reader.command({"XREAD", "COUNT", "100", "BLOCK", "5000", "STREAMS",
                             keys::stream_name(QuoteEvent::kStream), "$"});
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->size(), 1u);  // one stream
    auto entries = parse_entries(r->at(0).at(1));
    ASSERT_TRUE(entries) << entries.error().to_string();
    std::vector<std::string> syms;
    for (const auto& e : *entries) syms.push_back(decode<QuoteEvent>(e.fields)->sym);
    EXPECT_EQ(syms, (std::vector<std::string>{"SPY", "QQQ", "IWM"}));
  });
  ASSERT_TRUE(test::eventually([&] {
    auto info = admin.command({"INFO", "clients"});
    return info && info->text().find("blocked_clients:1") != std::string_view::npos;
  }));
  EXPECT_EQ(w.do_work(), 5);  // three entries, the sweep and the seal, one round trip
  blocked.join();
  EXPECT_EQ(w.stats().events_written, 4u);
  EXPECT_EQ(w.stats().written, 1u);
  EXPECT_EQ(w.stats().rejected, 0u);
  EXPECT_EQ(stream_seqs(admin), iota(1, 2));
  EXPECT_EQ(stream_events<SweepEvent>(admin).size(), 1u);
  auto q = stream_events<QuoteEvent>(admin);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].ts_ns, 13);
  ASSERT_EQ(q[0].path.size(), 1u);
  EXPECT_EQ(q[0].path[0].ts_ns, 10);
}

// Entries of a group refused when EXEC runs them (here stream:quote is not a stream) are each
// counted as refused; the pipeline's other writes land, and the next changes are sent again.
TEST_F(BusIoWorker, RefusedQuoteEntriesAreCountedAndTheRestLands) {
  IoWorker w(fast_config(server().url()), IoWorkerOptions{});
  Connection admin(fast_config(server().url()));
  ASSERT_TRUE(admin.command({"SET", keys::stream_name(QuoteEvent::kStream), "not a stream"}));
  ASSERT_TRUE(w.submit(seal_n(7)));
  for (std::size_t i = 0; i < 3; ++i) {
    w.submit_quote_change(i, change("S" + std::to_string(i), static_cast<TimestampNs>(i), 1.0));
  }
  EXPECT_EQ(w.do_work(), 4);
  EXPECT_EQ(w.stats().rejected, 3u);
  EXPECT_EQ(w.stats().events_written, 0u);
  EXPECT_EQ(w.stats().written, 1u);
  EXPECT_EQ(stream_seqs(admin), iota(7, 8));
  ASSERT_TRUE(admin.command({"DEL", keys::stream_name(QuoteEvent::kStream)}));
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(w.submit_quote_change(i, change("S" + std::to_string(i), 9, 2.0)),
              IoWorker::QuoteChange::kQueued);
  }
  while (!w.idle()) w.do_work();
  EXPECT_EQ(w.stats().events_written, 2u);
  EXPECT_EQ(stream_events<QuoteEvent>(admin).size(), 2u);
}

// The pipeline cap counts seals: a hundred small writes go with the seals in one round trip.
TEST_F(BusIoWorker, SmallWritesAreNotHeldToTheSealsPerPipeline) {
  IoWorkerOptions opts;
  opts.max_pipeline = 2;
  IoWorker w(fast_config(server().url()), opts);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(
        w.submit_event(keys::Stream::kSweep, encode(SweepEvent{"SPY", Side::kBuy, 2, i, i})));
  }
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(w.submit(seal_n(i)));
  EXPECT_EQ(w.do_work(), 102);  // the hundred events and two seals
  EXPECT_EQ(w.stats().events_written, 100u);
  EXPECT_EQ(w.stats().written, 2u);
  EXPECT_EQ(w.do_work(), 2);
  EXPECT_EQ(w.do_work(), 1);
  EXPECT_TRUE(w.idle());
  Connection c(fast_config(server().url()));
  EXPECT_EQ(stream_seqs(c), iota(0, 5));
}

// An entry that has waited for kMaxQuotePath changes loses the next ones, counted; its newest
// fields are still the newest change.
TEST_F(BusIoWorker, AFullQuoteEntryCountsTheChangesItLoses) {
  IoWorker w(fast_config(server().url()), IoWorkerOptions{});
  using QC = IoWorker::QuoteChange;
  const auto n = static_cast<TimestampNs>(IoWorker::kMaxQuotePath);
  EXPECT_EQ(w.submit_quote_change(0, change("SPY", 0, 100.0)), QC::kQueued);
  for (TimestampNs t = 1; t <= n; ++t) {
    ASSERT_EQ(w.submit_quote_change(0, change("SPY", t, 100.0 + t)), QC::kJoined) << t;
  }
  EXPECT_EQ(w.submit_quote_change(0, change("SPY", n + 1, 42.0)), QC::kDropped);
  EXPECT_EQ(w.stats().quote_path_drops, 1u);
  while (!w.idle()) w.do_work();
  Connection c(fast_config(server().url()));
  auto q = stream_events<QuoteEvent>(c);
  ASSERT_EQ(q.size(), 1u);
  ASSERT_EQ(q[0].path.size(), IoWorker::kMaxQuotePath);
  EXPECT_EQ(q[0].path.front().ts_ns, 0);
  EXPECT_EQ(q[0].path.back().ts_ns, n - 1);
  EXPECT_EQ(q[0].ts_ns, n + 1);  // change n was displaced by n + 1
  EXPECT_EQ(q[0].bid, 42.0);
}

TEST(BusIoWorkerRestart, BacklogIsBoundedWhileDownAndFlushedInOrderAfter) {
  auto s = harrier::testing::RedisServer::start();
  ASSERT_TRUE(s) << s.error().to_string();
  auto& server = **s;
  IoWorkerOptions opts;
  opts.backlog_capacity = 5;
  IoWorker w(fast_config(server.url()), opts);
  w.submit(seal_n(0));
  w.do_work();
  ASSERT_EQ(w.stats().written, 1u);
  ASSERT_TRUE(server.kill());
  for (int i = 1; i <= 8; ++i) {
    w.submit(seal_n(i));
    w.do_work();  // fails: Redis is down
  }
  EXPECT_EQ(w.stats().backlog, 5u);
  EXPECT_EQ(w.stats().backlog_drops, 3u);  // the oldest: seq 1, 2, 3
  ASSERT_TRUE(server.restart());
  ASSERT_TRUE(test::eventually([&] {
    w.do_work();
    return w.idle();
  }));
  Connection c(fast_config(server.url()));
  EXPECT_EQ(stream_seqs(c), iota(4, 9));  // the restarted server has no seq 0
  EXPECT_EQ(w.stats().written, 6u);
}

// A waiting quote entry dropped from the full backlog while Redis is down frees its symbol: the
// next change starts a new entry (it would otherwise join one that no longer exists).
TEST(BusIoWorkerRestart, AQuoteEntryDroppedWhileDownFreesItsSymbol) {
  auto s = harrier::testing::RedisServer::start();
  ASSERT_TRUE(s) << s.error().to_string();
  auto& server = **s;
  IoWorkerOptions opts;
  opts.backlog_capacity = 2;
  IoWorker w(fast_config(server.url()), opts);
  ASSERT_TRUE(server.kill());
  using QC = IoWorker::QuoteChange;
  EXPECT_EQ(w.submit_quote_change(0, change("SPY", 1, 100.0)), QC::kQueued);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(w.submit(seal_n(i)));
    w.do_work();  // fails: Redis is down
  }
  EXPECT_EQ(w.stats().backlog_drops, 1u);  // the quote entry, the oldest
  EXPECT_EQ(w.submit_quote_change(0, change("SPY", 2, 101.0)), QC::kQueued);
  ASSERT_TRUE(server.restart());
  ASSERT_TRUE(test::eventually([&] {
    w.do_work();
    return w.idle();
  }));
  Connection c(fast_config(server.url()));
  auto q = stream_events<QuoteEvent>(c);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].ts_ns, 2);
  EXPECT_TRUE(q[0].path.empty());
}

TEST(BusIoWorkerRestart, KilledAndRestartedMidStreamNothingDuplicatedOrLost) {
  // AOF with fsync on every write, so a SIGKILL loses nothing that was acknowledged and the
  // stream after the restart must hold every seal exactly once, in order. Seals cut off by the
  // kill may or may not have been applied; the worker must find out, not guess.
  harrier::testing::RedisServerOptions so;
  so.extra_config = {"appendonly yes", "appendfsync always"};
  auto s = harrier::testing::RedisServer::start(so);
  ASSERT_TRUE(s) << s.error().to_string();
  auto& server = **s;
  IoWorkerOptions opts;
  opts.max_pipeline = 16;
  IoWorker w(fast_config(server.url()), opts);
  w.start();
  constexpr int kSeals = 400;
  for (int i = 0; i < kSeals; ++i) {
    ASSERT_TRUE(w.submit(seal_n(i)));
    if (i == 150) {
      ASSERT_TRUE(server.kill());
    }
    if (i == 250) {
      ASSERT_TRUE(server.restart());
    }
    if (i % 4 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  w.stop(10 * kNsPerSec);
  IoWorkerStats st = w.stats();
  EXPECT_EQ(st.backlog, 0u);
  EXPECT_EQ(st.backlog_drops, 0u);
  EXPECT_EQ(st.queue_drops, 0u);
  EXPECT_EQ(st.written + st.verified_applied, static_cast<std::uint64_t>(kSeals));
  EXPECT_GE(st.write_failures, 1u);  // the kill did cut a pipeline off
  RecordProperty("verified_applied", std::to_string(st.verified_applied));
  Connection c(fast_config(server.url()));
  EXPECT_EQ(stream_seqs(c), iota(0, kSeals));
}

}  // namespace
}  // namespace harrier::bus
