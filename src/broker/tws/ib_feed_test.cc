// IbFeed over the real Connection against the protocol-level fake TWS on 127.0.0.1 (no live TWS
// is reachable here): scripted tick-by-tick streams become validated Ticks, bad ticks are
// rejected and counted, subscriptions come back after 1101 and after a dropped socket, depth is
// booked and counted, the option window is qualified, subscribed and rolled. Everything runs on
// the test thread with one ManualClock: no sleeps.
#include "broker/tws/ib_feed.h"

#include <gtest/gtest.h>

#include "broker/tws/fake_tws.h"
#include "feed/replay_format.h"

namespace harrier::tws {
namespace {

constexpr std::int64_t kT0 = 1'767'621'600;  // 2026-01-05 14:00:00 UTC, seconds
constexpr TimestampNs kStart = kT0 * kNsPerSec + 250 * kNsPerMs;

std::string join(const std::vector<std::string>& f) {
  std::string s;
  for (const std::string& x : f) s += x + "|";
  return s;
}

// contractDetails (10) at sv 193 for a stock or an option.
std::string details(const std::string& req, const std::string& sym, const std::string& sec_type,
                    const std::string& expiry, const std::string& strike, const std::string& right,
                    std::int64_t con_id) {
  return join({"10",    req,
               sym,     sec_type,
               expiry,  expiry,
               strike,  right,
               "SMART", "USD",
               sym,     sym,
               sym,     std::to_string(con_id),
               "0.01",  sec_type == "OPT" ? "100" : "",
               "LMT",   "SMART",
               "1",     "0",
               sym,     "ARCA",
               "",      "",
               "",      "",
               "",      "",
               "",      "",
               "0",     "0",
               "1",     "",
               "",      "26",
               "",      "",
               "1",     "1",
               "1",     "0"});
}

class IbFeedTest : public ::testing::Test {
 protected:
  void start(IbFeedOptions o) {
    testing::FakeTwsOptions fo;
    fo.clock = &clock_;
    auto f = testing::FakeTws::start(fo);
    ASSERT_TRUE(f);
    fake_ = std::move(*f);
    ConnectionOptions co;
    co.port = fake_->port();
    co.client_id = 18;
    co.watchdog_ns = 0;
    conn_ = std::make_unique<Connection>(co, clock_, ids_);
    o.idle_poll_ns = 0;
    auto feed = IbFeed::create(*conn_, clock_, std::move(o));
    ASSERT_TRUE(feed) << feed.error().to_string();
    feed_ = std::move(*feed);
    conn_->start();
    ASSERT_TRUE(pump([&] { return conn_->state() == SessionState::kReady; }));
  }
  IbFeedOptions opts(int option_window = 0) {
    IbFeedOptions o;
    o.symbols = {"SPY"};
    o.option_window = option_window;
    return o;
  }
  // Drives fake and feed, collecting ticks, until done() or 20 simulated seconds.
  template <typename F>
  bool pump(F done) {
    for (int i = 0; i < 20000; ++i) {
      fake_->do_work();
      Tick t;
      while (feed_ && feed_->poll(t)) ticks_.push_back(t);
      if (done()) return true;
      clock_.advance(kNsPerMs);
    }
    return false;
  }
  // reqId of the n-th reqTickByTickData (97) of `type` ("AllLast", "BidAsk") on any connection.
  std::string tbt_req(const std::string& type, std::size_t n = 0) {
    std::size_t seen = 0;
    for (const auto& f : fake_->received_with_id(97)) {
      if (f.fields.size() > 14 && f.fields[14] == type && seen++ == n) return f.fields[1];
    }
    return "";
  }
  std::string t(std::int64_t dt = 0) { return std::to_string(kT0 + dt); }

  ManualClock clock_{kStart};
  InMemoryOrderIdStore ids_;
  std::unique_ptr<testing::FakeTws> fake_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<IbFeed> feed_;
  std::vector<Tick> ticks_;
};

TEST_F(IbFeedTest, ScriptedTickByTickStreamBecomesValidatedTicks) {
  start(opts());
  ASSERT_TRUE(pump([&] { return !tbt_req("BidAsk").empty(); }));
  const auto tbt = fake_->received_with_id(97);
  ASSERT_EQ(tbt.size(), 2u);
  EXPECT_EQ(tbt[0].pipes(), "97|" + tbt_req("AllLast") + "||SPY|STK|||||SMART||USD|||AllLast|0|0|");
  const std::string tr = tbt_req("AllLast"), qr = tbt_req("BidAsk");

  fake_->send("99|" + tr + "|2|" + t() + "|590.25|100|0|ARCA||");
  fake_->send("99|" + qr + "|3|" + t() + "|590.20|590.30|300|200|0|");
  fake_->send("99|" + tr + "|2|" + t(1) + "|590.30|50|2|DARK||");  // unreported
  ASSERT_TRUE(pump([&] { return ticks_.size() == 3; }));

  const SymbolId spy = feed_->symbols().find("SPY");
  ASSERT_NE(spy, kNoSymbol);
  EXPECT_EQ(ticks_[0].kind, TickKind::kTrade);
  EXPECT_EQ(ticks_[0].symbol, spy);
  EXPECT_DOUBLE_EQ(ticks_[0].price, 590.25);
  EXPECT_EQ(ticks_[0].size, 100);
  EXPECT_EQ(ticks_[0].flags, 0u);
  // Whole seconds from TWS; the receipt time inside that second orders them.
  EXPECT_GE(ticks_[0].ts_ns, kT0 * kNsPerSec);
  EXPECT_LT(ticks_[0].ts_ns, (kT0 + 1) * kNsPerSec);
  EXPECT_EQ(ticks_[1].kind, TickKind::kQuote);
  EXPECT_DOUBLE_EQ(ticks_[1].bid, 590.20);
  EXPECT_DOUBLE_EQ(ticks_[1].ask, 590.30);
  EXPECT_EQ(ticks_[1].bid_size, 300);
  EXPECT_EQ(ticks_[1].ask_size, 200);
  EXPECT_GE(ticks_[1].ts_ns, ticks_[0].ts_ns);
  EXPECT_EQ(ticks_[2].flags, static_cast<std::uint32_t>(kTradeFlagNoLast));
  EXPECT_GE(ticks_[2].ts_ns, (kT0 + 1) * kNsPerSec);  // the clock is still in kT0: clamped up
  for (const Tick& x : ticks_) EXPECT_FALSE(feed::validate_tick(x).has_value());
  EXPECT_EQ(feed_->stats().ticks, 3u);
  EXPECT_EQ(feed_->ib_stats().trades, 2u);
  EXPECT_EQ(feed_->ib_stats().quotes, 1u);
  EXPECT_EQ(feed_->stats().rejected_total(), 0u);
}

TEST_F(IbFeedTest, BadTicksAreRejectedAndCounted) {
  start(opts());
  ASSERT_TRUE(pump([&] { return !tbt_req("BidAsk").empty(); }));
  const std::string tr = tbt_req("AllLast"), qr = tbt_req("BidAsk");
  fake_->send("99|" + tr + "|2|" + t() + "|-1|100|0|ARCA||");        // bad price
  fake_->send("99|" + tr + "|2|" + t() + "|0|100|0|ARCA||");         // bad price
  fake_->send("99|" + tr + "|2|" + t() + "|590|-5|0|ARCA||");        // negative size
  fake_->send("99|" + qr + "|3|" + t() + "|590.40|590.30|1|1|0|");   // crossed
  fake_->send("99|" + qr + "|3|" + t() + "|590.20|590.30|-1|1|0|");  // negative size
  fake_->send("99|" + qr + "|3|" + t() + "|0|590.30|100|1|0|");      // bid 0 with a size
  fake_->send("99|" + tr + "|2|0|590|5|0|ARCA||");                   // no time
  fake_->send("99|" + tr + "|2|" + t() + "|590.10|10|0|ARCA||");     // good
  fake_->send("99|" + qr + "|3|" + t() + "|0|590.30|0|100|0|");      // good: no bid side
  fake_->send("99|" + tr + "|2|" + t(-5) + "|590.10|10|0|ARCA||");   // 5 s back
  ASSERT_TRUE(pump([&] { return feed_->stats().lines == 10; }));
  ASSERT_EQ(ticks_.size(), 2u);
  EXPECT_DOUBLE_EQ(ticks_[0].price, 590.10);
  EXPECT_TRUE(std::isnan(ticks_[1].bid));
  EXPECT_EQ(ticks_[1].bid_size, 0);
  const feed::FeedStats& s = feed_->stats();
  EXPECT_EQ(s.rejected_for(feed::RejectReason::kBadPrice), 3u);
  EXPECT_EQ(s.rejected_for(feed::RejectReason::kNegativeSize), 2u);
  EXPECT_EQ(s.rejected_for(feed::RejectReason::kCrossedQuote), 1u);
  EXPECT_EQ(s.rejected_for(feed::RejectReason::kMalformed), 1u);
  EXPECT_EQ(s.rejected_for(feed::RejectReason::kTimeBackwards), 1u);
  EXPECT_NE(s.last_reject.find("SPY"), std::string::npos);
  for (const Tick& x : ticks_) EXPECT_FALSE(feed::validate_tick(x).has_value());
}

TEST_F(IbFeedTest, ResubscribesAfter1101AndAfterADroppedSocket) {
  start(opts());
  ASSERT_TRUE(pump([&] { return !tbt_req("BidAsk").empty(); }));
  const std::string tr1 = tbt_req("AllLast");
  fake_->send("99|" + tr1 + "|2|" + t() + "|590|1|0|ARCA||");
  ASSERT_TRUE(pump([&] { return ticks_.size() == 1; }));

  // 1101: TWS dropped every data subscription; they are asked again with fresh reqIds.
  fake_->send("4|2|-1|1100|Connectivity between IB and TWS has been lost.||");
  fake_->send("4|2|-1|1101|Connectivity restored, data lost.||");
  ASSERT_TRUE(pump(
      [&] { return !tbt_req("BidAsk", 1).empty() && fake_->received_with_id(10).size() == 6; }));
  const std::string tr2 = tbt_req("AllLast", 1);
  EXPECT_NE(tr2, tr1);
  EXPECT_EQ(fake_->received_with_id(10).size(), 6u);           // 3 venues, twice
  fake_->send("99|" + tr1 + "|2|" + t() + "|591|1|0|ARCA||");  // the old reqId: stale
  fake_->send("99|" + tr2 + "|2|" + t() + "|592|1|0|ARCA||");
  ASSERT_TRUE(pump([&] { return ticks_.size() == 2 && feed_->ib_stats().stale_data == 1; }));
  EXPECT_DOUBLE_EQ(ticks_[1].price, 592);

  // A dropped socket: no error, no tick; the connection comes back and the feed resubscribes.
  fake_->drop_client();
  ASSERT_TRUE(pump([&] {
    return conn_->stats().sessions == 2 && !tbt_req("BidAsk", 2).empty() &&
           fake_->received_with_id(10).size() == 9;
  }));
  const auto again = fake_->received_with_id(97);
  ASSERT_EQ(again.size(), 6u);
  EXPECT_EQ(again[4].connection, 2);
  const std::string tr3 = tbt_req("AllLast", 2), qr3 = tbt_req("BidAsk", 2);
  fake_->send("99|" + tr3 + "|2|" + t(2) + "|593|1|0|ARCA||");
  fake_->send("99|" + qr3 + "|3|" + t(2) + "|592.9|593.1|5|6|0|");
  ASSERT_TRUE(pump([&] { return ticks_.size() == 4; }));
  EXPECT_DOUBLE_EQ(ticks_[2].price, 593);
  EXPECT_DOUBLE_EQ(ticks_[3].ask, 593.1);
  EXPECT_EQ(feed_->stats().rejected_total(), 0u);
}

TEST_F(IbFeedTest, DepthIsBookedAndCountedWithinTheAccountLimit) {
  IbFeedOptions o = opts();
  o.symbols = {"SPY", "QQQ"};
  o.depth_rows = 5;
  start(o);
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(10).size() == 3; }));
  const auto d = fake_->received_with_id(10);
  // Limit 3: the three venues of the first symbol, none for the second.
  EXPECT_EQ(d[0].fields[4], "SPY");
  EXPECT_EQ(d[0].fields[10], "ARCA");
  EXPECT_EQ(d[1].fields[10], "ISLAND");
  EXPECT_EQ(d[2].fields[10], "IEX");
  EXPECT_EQ(d[0].fields[15], "5");
  const std::string arca = d[0].fields[2], island = d[1].fields[2], iex = d[2].fields[2];
  fake_->send("13|1|" + arca + "|0|ARCA|0|1|589.99|300|0|");
  fake_->send("13|1|" + arca + "|0|ARCA|0|0|590.01|200|0|");
  fake_->send("13|1|" + arca + "|1|ARCA|0|1|589.98|100|0|");
  fake_->send("13|1|" + arca + "|0|ARCA|1|1|589.99|350|0|");
  fake_->send("13|1|" + island + "|0|ISLAND|0|1|589.99|50|0|");
  fake_->send("13|1|" + island + "|7|ISLAND|0|1|589.90|50|0|");  // past depth_rows
  fake_->send("13|1|" + island + "|3|ISLAND|1|1|589.90|50|0|");  // update of a missing row
  ASSERT_TRUE(pump([&] { return feed_->ib_stats().depth_rejected == 2; }));
  EXPECT_EQ(feed_->ib_stats().depth_updates, 5u);
  EXPECT_EQ(feed_->depth_sizes("SPY"), std::make_pair(500.0, 200.0));
  EXPECT_TRUE(ticks_.empty());  // depth never becomes a Tick

  fake_->send("4|2|" + island + "|317|Market depth data has been RESET.||");
  fake_->send("4|2|" + iex + "|309|Max number of market depth requests has been reached||");
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(11).size() == 1; }));
  EXPECT_EQ(fake_->received_with_id(11)[0].fields[2], iex);
  EXPECT_EQ(feed_->ib_stats().depth_resets, 1u);
  EXPECT_EQ(feed_->ib_stats().depth_refused, 1u);
  EXPECT_EQ(feed_->depth_sizes("SPY"), std::make_pair(450.0, 200.0));
  EXPECT_EQ(feed_->depth_sizes("QQQ"), std::make_pair(0.0, 0.0));
}

TEST_F(IbFeedTest, OptionWindowIsQualifiedSubscribedAndRolled) {
  start(opts(1));
  // The underlying is qualified first (reqContractDetails, 9), then the chain is asked (78).
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(9).size() == 1; }));
  const auto und = fake_->received_with_id(9)[0];
  EXPECT_EQ(und.fields[5], "STK");
  fake_->send(details(und.fields[2], "SPY", "STK", "", "0", "", 756733));
  fake_->send("52|1|" + und.fields[2] + "|");
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(78).size() == 1; }));
  const auto chain = fake_->received_with_id(78)[0];
  EXPECT_EQ(chain.pipes(), "78|" + chain.fields[1] + "|SPY||STK|756733|");
  fake_->send("75|" + chain.fields[1] + "|CBOE|756733|SPY|100|2|20260105|20260107|3|580|590|600|");
  fake_->send("75|" + chain.fields[1] +
              "|SMART|756733|SPY|100|3|20260102|20260105|20260107|5|580|585|590|595|600|");
  fake_->send("76|" + chain.fields[1] + "|");
  ASSERT_TRUE(pump([&] { return feed_->ib_stats().option_chains == 1; }));
  EXPECT_TRUE(feed_->option_lines("SPY").empty());  // no price yet: no money to centre on

  const std::string tr = tbt_req("AllLast");
  fake_->send("99|" + tr + "|2|" + t() + "|591.2|100|0|ARCA||");
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(9).size() == 7; }));
  auto lines = feed_->option_lines("SPY");
  ASSERT_EQ(lines.size(), 6u);  // 585, 590, 595 x C/P of the nearest live expiry
  EXPECT_EQ(lines.front().strike, 585);
  EXPECT_EQ(lines.back().strike, 595);
  EXPECT_EQ(lines.front().expiry, "20260105");
  // Qualify the 590 call: its reqMktData (1) follows, with the conId and the generic ticks.
  std::string call_req;
  for (const auto& f : fake_->received_with_id(9)) {
    if (f.fields[5] == "OPT" && f.fields[7] == "590" && f.fields[8] == "C") call_req = f.fields[2];
  }
  ASSERT_FALSE(call_req.empty());
  fake_->send(details(call_req, "SPY", "OPT", "20260105", "590", "C", 9001));
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(1).size() == 1; }));
  const auto mkt = fake_->received_with_id(1)[0];
  EXPECT_EQ(mkt.fields[3], "9001");
  EXPECT_EQ(mkt.fields[16], "100,101,106");
  fake_->send("21|" + mkt.fields[2] + "|13|1|0.21|0.55|6.1|0|0.03|0.12|-0.05|591.2|");
  fake_->send("21|" + mkt.fields[2] + "|13|0|-1|-2|-1|-1|-2|-2|-2|-1|");  // nothing usable
  ASSERT_TRUE(pump([&] { return feed_->ib_stats().greeks_rejected == 1; }));
  EXPECT_EQ(feed_->ib_stats().option_qualified, 1u);
  EXPECT_EQ(feed_->ib_stats().greeks, 1u);
  for (const OptionLine& l : feed_->option_lines("SPY")) {
    if (l.strike == 590 && l.right == 'C') {
      EXPECT_EQ(l.con_id, 9001);
      EXPECT_DOUBLE_EQ(l.delta, 0.55);
      EXPECT_DOUBLE_EQ(l.implied_vol, 0.21);
    }
  }

  // The money moves two strikes up: the window rolls, the 590 call leaves it (cancelMktData).
  clock_.advance(2 * kNsPerSec);
  fake_->send("99|" + tr + "|2|" + t(3) + "|599.0|100|0|ARCA||");
  ASSERT_TRUE(pump([&] { return fake_->received_with_id(2).size() == 1; }));
  EXPECT_EQ(fake_->received_with_id(2)[0].fields[2], mkt.fields[2]);
  EXPECT_EQ(feed_->ib_stats().option_rolls, 1u);
  lines = feed_->option_lines("SPY");
  ASSERT_EQ(lines.size(), 4u);  // 595, 600 (the top of the chain) x C/P
  EXPECT_EQ(lines.front().strike, 595);
  EXPECT_EQ(lines.back().strike, 600);
}

TEST_F(IbFeedTest, NextReturnsATickOrFalseOnlyAtShutdown) {
  bool stop = false;
  IbFeedOptions o = opts();
  o.stop = [&] { return stop; };
  start(o);
  ASSERT_TRUE(pump([&] { return !tbt_req("AllLast").empty(); }));
  fake_->send("99|" + tbt_req("AllLast") + "|2|" + t() + "|590|1|0|ARCA||");
  for (int i = 0; i < 10; ++i) fake_->do_work();  // the frame is in the socket now
  Tick tick;
  ticks_.clear();
  auto r = feed_->next(tick);  // polls the connection until the tick is there
  ASSERT_TRUE(r);
  ASSERT_TRUE(*r);
  ticks_.push_back(tick);
  stop = true;
  r = feed_->next(tick);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  ASSERT_EQ(ticks_.size(), 1u);
  EXPECT_DOUBLE_EQ(ticks_[0].price, 590);

  // Gateway gone: next() yields no tick and no error, and returns once stop says so.
  fake_.reset();
  int asked = 0;
  stop = false;
  o.stop = [&] { return ++asked > 50; };
  o.idle_poll_ns = 0;
  feed_.reset();  // the old feed lets go of the connection first
  auto again = IbFeed::create(*conn_, clock_, o);
  ASSERT_TRUE(again);
  feed_ = std::move(*again);
  r = feed_->next(tick);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_EQ(asked, 51);
  EXPECT_EQ(feed_->stats().ticks, 0u);
}

TEST(IbFeedOptionsTest, ConfigKeysMapAndBadOptionsAreRefused) {
  Config c;
  EXPECT_FALSE(ib_feed_options(c));  // no feed.symbols
  c.feed.symbols = {"SPY", "QQQ"};
  c.ib.depth_rows = 7;
  c.ib.option_window = 3;
  auto o = ib_feed_options(c);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->symbols.size(), 2u);
  EXPECT_EQ(o->depth_rows, 7);
  EXPECT_EQ(o->option_window, 3);
  EXPECT_EQ(o->depth_venues, (std::vector<std::string>{"ARCA", "ISLAND", "IEX"}));
  ManualClock clock(kStart);
  InMemoryOrderIdStore ids;
  Connection conn(ConnectionOptions{}, clock, ids);
  o->symbols = {"bad sym"};
  EXPECT_EQ(IbFeed::create(conn, clock, *o).error().code(), ErrorCode::kInvalidInput);
  o->symbols = {"SPY"};
  o->trades = TickByTickType::kMidPoint;
  EXPECT_FALSE(IbFeed::create(conn, clock, *o));
}

}  // namespace
}  // namespace harrier::tws
