// The bar store against a real redis-server: a seal writes bars, bundle, quote and the new_bar
// event as one transaction, which tells when Redis ran it; reads of one interval and of a whole
// bundle; a reader looping against a writer never observes a half-applied seal.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "bus/bar_store.h"
#include "bus/keys.h"
#include "bus/streams.h"
#include "bus_test_util.h"

namespace harrier::bus {
namespace {

using test::fast_config;

class BusStore : public test::RedisSuite {};

Seal make_seal(std::string sym, Interval iv, std::int64_t seq) {
  Seal s;
  s.sym = std::move(sym);
  s.iv = iv;
  s.seq = seq;
  s.bar_start_ns = seq * interval_ns(iv);
  s.sealed_ns = s.bar_start_ns + interval_ns(iv) + 1000;
  s.bars = "arrow-bytes-" + std::to_string(seq) + std::string(64, '\0');
  s.quote = QuoteSnapshot{100.0 + static_cast<double>(seq), 100.5, 3, 4, 100.25, seq};
  return s;
}

// A seal's transaction ends with TIME: Redis' clock when it ran, read back from the replies.
// This Redis shares the test's clock, so it falls between the send and the replies in hand.
// Replies without it are refused, not read as a time.
TEST_F(BusStore, SealTellsWhenRedisRanItsTransaction) {
  Connection c(fast_config(server().url()));
  CommandBatch batch;
  EncodedSeal enc;
  const Seal s = make_seal("SPY", Interval::k1s, 3);
  append_seal(batch, s, enc);
  ASSERT_EQ(batch.size(), kCommandsPerSeal);
  std::vector<Reply> replies;
  const TimestampNs before = SystemClock::instance().now_ns();
  ASSERT_TRUE(c.run(batch, replies));
  const TimestampNs after = SystemClock::instance().now_ns();
  ASSERT_TRUE(check_seal_replies(replies, 0, batch));
  auto ran = seal_server_time(replies, 0);
  ASSERT_TRUE(ran) << ran.error().to_string();
  // TIME has microseconds: allow for the truncation below `before`.
  EXPECT_GE(*ran, before - kNsPerUs);
  EXPECT_LE(*ran, after);

  replies.pop_back();  // no EXEC reply
  EXPECT_FALSE(seal_server_time(replies, 0));
}

TEST_F(BusStore, SealWritesEveryKeyAndTheEvent) {
  Connection c(fast_config(server().url()));
  Seal s = make_seal("SPY", Interval::k5s, 7);
  ASSERT_TRUE(write_seal(c, s));

  auto bars = read_interval(c, "SPY", Interval::k5s);
  ASSERT_TRUE(bars);
  ASSERT_TRUE(bars->has_value());
  EXPECT_EQ(**bars, s.bars);  // binary bytes intact
  std::string reused = "stale";
  auto into = read_interval_into(c, "SPY", Interval::k5s, reused);
  ASSERT_TRUE(into);
  EXPECT_TRUE(*into);
  EXPECT_EQ(reused, s.bars);
  auto missing = read_interval_into(c, "SPY", Interval::k30s, reused);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  EXPECT_TRUE(reused.empty());
  auto none = read_interval(c, "SPY", Interval::k1m);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  auto q = c.command({"HGET", keys::quote("SPY"), "bid"});
  ASSERT_TRUE(q);
  EXPECT_EQ(*q->string(), "107");

  auto events = c.command({"XRANGE", keys::stream_name(keys::Stream::kNewBar), "-", "+"});
  ASSERT_TRUE(events);
  auto entries = parse_entries(events->view());
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  auto ev = decode_new_bar((*entries)[0].fields);
  ASSERT_TRUE(ev) << ev.error().to_string();
  EXPECT_EQ(ev->sym, "SPY");
  EXPECT_EQ(ev->iv, Interval::k5s);
  EXPECT_EQ(ev->seq, 7);
  EXPECT_EQ(ev->bar_start_ns, s.bar_start_ns);
  EXPECT_EQ(ev->sealed_ns, s.sealed_ns);
}

TEST_F(BusStore, BundleHoldsEveryIntervalAndTheQuoteInOneRead) {
  Connection c(fast_config(server().url()));
  std::int64_t seq = 0;
  for (Interval iv : kAllIntervals) ASSERT_TRUE(write_seal(c, make_seal("QQQ", iv, ++seq)));
  std::uint64_t before = c.stats().commands;
  auto b = read_bundle(c, "QQQ");
  ASSERT_TRUE(b) << b.error().to_string();
  EXPECT_EQ(c.stats().commands, before + 1);  // one round trip
  for (Interval iv : kAllIntervals) {
    ASSERT_TRUE(b->bars[index_of(iv)].has_value()) << interval_name(iv);
    EXPECT_EQ(*b->bars[index_of(iv)], make_seal("QQQ", iv, index_of(iv) + 1).bars);
  }
  ASSERT_TRUE(b->quote.has_value());
  EXPECT_EQ(b->quote->ts_ns, 6);  // the last seal's quote
  auto empty = read_bundle(c, "NONE");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST_F(BusStore, BundlesOfSomeIntervalsCarryOnlyThose) {
  Connection c(fast_config(server().url()));
  std::int64_t seq = 0;
  for (Interval iv : kAllIntervals) ASSERT_TRUE(write_seal(c, make_seal("QQQ", iv, ++seq)));
  ASSERT_TRUE(write_seal(c, make_seal("SPY", Interval::k1m, 9)));  // SPY has no 5m window
  ASSERT_TRUE(c.command({"SET", keys::bundle("IWM"), "a string, not a hash"}));
  const std::string_view syms[] = {"QQQ", "SPY", "IWM", "NONE"};
  const Interval some[] = {Interval::k5m, Interval::k1m};
  std::uint64_t before = c.stats().commands;
  auto got = read_bundles(c, syms, some);
  ASSERT_TRUE(got) << got.error().to_string();
  ASSERT_EQ(got->size(), 4u);
  const Result<Bundle>& qqq = (*got)[0];
  ASSERT_TRUE(qqq) << qqq.error().to_string();
  for (Interval iv : kAllIntervals) {
    const bool wanted = iv == Interval::k5m || iv == Interval::k1m;
    ASSERT_EQ(qqq->bars[index_of(iv)].has_value(), wanted) << interval_name(iv);
    if (wanted) {
      EXPECT_EQ(*qqq->bars[index_of(iv)], make_seal("QQQ", iv, index_of(iv) + 1).bars);
    }
  }
  ASSERT_TRUE(qqq->quote.has_value());
  EXPECT_EQ(qqq->quote->ts_ns, 6);
  const Result<Bundle>& spy = (*got)[1];
  ASSERT_TRUE(spy);
  EXPECT_FALSE(spy->bars[index_of(Interval::k5m)].has_value());
  ASSERT_TRUE(spy->bars[index_of(Interval::k1m)].has_value());
  EXPECT_EQ(*spy->bars[index_of(Interval::k1m)], make_seal("SPY", Interval::k1m, 9).bars);
  ASSERT_FALSE((*got)[2]);  // WRONGTYPE spoils that symbol only
  EXPECT_NE((*got)[2].error().message().find("bundle:IWM"), std::string::npos)
      << (*got)[2].error().message();
  ASSERT_TRUE((*got)[3]);
  EXPECT_TRUE((*got)[3]->empty());
  // All six: the same as read_bundle.
  auto all = read_bundles(c, std::span<const std::string_view>(syms, 1), kAllIntervals);
  ASSERT_TRUE(all && (*all)[0]);
  for (Interval iv : kAllIntervals) EXPECT_TRUE((*all)[0]->bars[index_of(iv)].has_value());
  EXPECT_GE(c.stats().commands, before + 2);
}

TEST_F(BusStore, CorruptBundleQuoteIsAnErrorNamingTheKey) {
  Connection c(fast_config(server().url()));
  ASSERT_TRUE(c.command({"HSET", keys::bundle("SPY"), "quote", "1,2,oops"}));
  auto b = read_bundle(c, "SPY");
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message().find("bundle:SPY"), std::string::npos) << b.error().message();
  ASSERT_TRUE(c.command({"SET", keys::bundle("IWM"), "a string, not a hash"}));
  auto wrong = read_bundle(c, "IWM");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message().find("WRONGTYPE"), std::string::npos);
}

TEST_F(BusStore, StreamIsCappedApproximately) {
  Connection c(fast_config(server().url()));
  for (int i = 0; i < 600; ++i) {
    ASSERT_TRUE(write_seal(c, make_seal("SPY", Interval::k1s, i), /*stream_maxlen=*/100));
  }
  auto len = c.command({"XLEN", keys::stream_name(keys::Stream::kNewBar)});
  ASSERT_TRUE(len);
  EXPECT_GE(*len->integer(), 100);
  EXPECT_LT(*len->integer(), 600);  // "~" trims whole nodes, so somewhat above 100
}

TEST_F(BusStore, ReaderNeverSeesAHalfWrittenSeal) {
  // The writer loops seals whose bars, bundle field, quote and event all carry the same seq.
  // The reader reads bars, the bundle field and the quote hash in one MULTI (a consistent
  // snapshot of the three keys) and checks that they agree, as often as it can.
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    Connection w(fast_config(server().url()));
    for (std::int64_t seq = 0; !stop.load(); ++seq) {
      Seal s = make_seal("SPY", Interval::k1s, seq);
      s.bars = std::to_string(seq) + std::string(4000, 'b');  // large enough to span packets
      if (!write_seal(w, s)) break;
      written.fetch_add(1);
    }
  });
  Connection r(fast_config(server().url()));
  int checked = 0;
  int mismatches = 0;
  CommandBatch batch;
  std::string bars_key = keys::bars("SPY", Interval::k1s);
  std::string bundle_key = keys::bundle("SPY");
  std::string quote_key = keys::quote("SPY");
  batch.add({"MULTI"});
  batch.add({"GET", bars_key});
  batch.add({"HMGET", bundle_key, "1s", "quote"});
  batch.add({"HGET", quote_key, "ts_ns"});
  batch.add({"EXEC"});
  std::vector<Reply> replies;
  while (checked < 2000 || written.load() < 200) {
    ASSERT_TRUE(r.run(batch, replies));
    const Reply& exec = replies.back();
    ASSERT_TRUE(exec.array());
    auto bars = exec.at(0).string_or_nil();
    ASSERT_TRUE(bars);
    if (!bars->has_value()) continue;  // nothing written yet
    std::string seq_of_bars(bars->value().substr(0, bars->value().find('b')));
    auto field = exec.at(1).at(0).string();
    auto bundle_quote = exec.at(1).at(1).string();
    auto quote_ts = exec.at(2).string();
    ASSERT_TRUE(field && bundle_quote && quote_ts);
    std::string seq_of_field(field->substr(0, field->find('b')));
    auto decoded = decode_quote(*bundle_quote);
    ASSERT_TRUE(decoded);
    bool same = seq_of_bars == seq_of_field && std::to_string(decoded->ts_ns) == seq_of_bars &&
                *quote_ts == seq_of_bars;
    if (!same) ++mismatches;
    ++checked;
  }
  stop = true;
  writer.join();
  EXPECT_EQ(mismatches, 0);
  EXPECT_GE(checked, 2000);
  EXPECT_GE(written.load(), 200);
}

}  // namespace
}  // namespace harrier::bus
