// The paper broker with a ManualClock: acknowledgement, market and limit fills against the
// quote, slippage, latency, partial fills against later quotes, rejects, cancels, silent
// symbols, and determinism.
#include "broker/paper_broker.h"

#include <gtest/gtest.h>

namespace harrier::broker {
namespace {

constexpr TimestampNs kT0 = 1381152600LL * kNsPerSec;

OrderRequest order(std::string id, Side side, std::int64_t qty, OrderType type = OrderType::kMarket,
                   double limit = kNaN) {
  OrderRequest o;
  o.client_order_id = std::move(id);
  o.sym = "SPY";
  o.side = side;
  o.qty = qty;
  o.type = type;
  o.limit_price = limit;
  return o;
}

Quote quote(double bid, double ask, double size, TimestampNs ts) {
  return Quote{bid, ask, size, size, (bid + ask) / 2, ts};
}

std::vector<OrderEvent> poll(PaperBroker& b) {
  std::vector<OrderEvent> out;
  EXPECT_TRUE(b.poll(out));
  return out;
}

TEST(PaperBroker, MarketBuyFillsAtTheAskAfterAck) {
  ManualClock clock(kT0);
  PaperBroker b({}, clock);
  b.on_quote("SPY", quote(100.00, 100.02, 500, kT0));
  ASSERT_TRUE(b.submit(order("a", Side::kBuy, 100)));
  auto ev = poll(b);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, EventKind::kSubmitted);
  EXPECT_EQ(ev[1].kind, EventKind::kFill);
  EXPECT_EQ(ev[1].fill_qty, 100);
  EXPECT_DOUBLE_EQ(ev[1].fill_price, 100.02);
  EXPECT_EQ(ev[1].remaining_qty, 0);
  EXPECT_EQ(ev[1].ts_ns, kT0);
  EXPECT_EQ(b.position("SPY"), 100);
  EXPECT_FALSE(b.working("a"));
  EXPECT_TRUE(poll(b).empty());
}

TEST(PaperBroker, SlippageMovesThePriceAgainstTheOrder) {
  ManualClock clock(kT0);
  PaperBroker b({.latency_ms = 0, .slippage_bps = 5, .silent_symbols = {}}, clock);
  b.on_quote("SPY", quote(100.00, 100.02, 500, kT0));
  ASSERT_TRUE(b.submit(order("buy", Side::kBuy, 10)));
  ASSERT_TRUE(b.submit(order("sell", Side::kSell, 10)));
  auto ev = poll(b);
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_DOUBLE_EQ(ev[1].fill_price, 100.02 * 1.0005);  // buy pays more
  EXPECT_DOUBLE_EQ(ev[3].fill_price, 100.00 * 0.9995);  // sell receives less
  EXPECT_EQ(b.position("SPY"), 0);
  EXPECT_TRUE(b.positions().empty());
}

TEST(PaperBroker, LatencyHoldsTheFill) {
  ManualClock clock(kT0);
  PaperBroker b({.latency_ms = 50, .slippage_bps = 0, .silent_symbols = {}}, clock);
  b.on_quote("SPY", quote(100.00, 100.02, 500, kT0));
  ASSERT_TRUE(b.submit(order("a", Side::kBuy, 100)));
  auto ev = poll(b);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, EventKind::kSubmitted);
  clock.advance(49 * kNsPerMs);
  EXPECT_TRUE(poll(b).empty());
  EXPECT_TRUE(b.working("a"));
  EXPECT_EQ(b.working_symbols(), std::vector<std::string>{"SPY"});
  // The quote moves while the order waits: the fill takes the quote at fill time.
  b.on_quote("SPY", quote(100.10, 100.12, 500, kT0 + 40 * kNsPerMs));
  clock.advance(1 * kNsPerMs);
  ev = poll(b);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, EventKind::kFill);
  EXPECT_DOUBLE_EQ(ev[0].fill_price, 100.12);
  EXPECT_EQ(ev[0].ts_ns, kT0 + 50 * kNsPerMs);
}

TEST(PaperBroker, OrderLargerThanDisplayedSizeFillsInPartsAgainstLaterQuotes) {
  ManualClock clock(kT0);
  PaperBroker b({}, clock);
  b.on_quote("SPY", quote(100.00, 100.02, 60, kT0));
  ASSERT_TRUE(b.submit(order("big", Side::kBuy, 150)));
  auto ev = poll(b);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[1].kind, EventKind::kPartialFill);
  EXPECT_EQ(ev[1].fill_qty, 60);
  EXPECT_EQ(ev[1].remaining_qty, 90);
  // The same quote again gives nothing more.
  b.on_quote("SPY", quote(100.00, 100.02, 60, kT0));
  EXPECT_TRUE(poll(b).empty());
  b.on_quote("SPY", quote(100.01, 100.04, 70, kT0 + 1));
  ev = poll(b);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, EventKind::kPartialFill);
  EXPECT_EQ(ev[0].fill_qty, 70);
  EXPECT_EQ(ev[0].cum_qty, 130);
  b.on_quote("SPY", quote(100.02, 100.05, 500, kT0 + 2));
  ev = poll(b);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, EventKind::kFill);
  EXPECT_EQ(ev[0].fill_qty, 20);
  EXPECT_EQ(ev[0].cum_qty, 150);
  EXPECT_DOUBLE_EQ(ev[0].avg_price, (60 * 100.02 + 70 * 100.04 + 20 * 100.05) / 150);
  EXPECT_EQ(b.position("SPY"), 150);
}

TEST(PaperBroker, LimitOrdersWaitForTheirPrice) {
  ManualClock clock(kT0);
  PaperBroker b({.latency_ms = 0, .slippage_bps = 10, .silent_symbols = {}}, clock);
  b.on_quote("SPY", quote(100.00, 100.02, 500, kT0));
  ASSERT_TRUE(b.submit(order("lb", Side::kBuy, 10, OrderType::kLimit, 100.01)));
  ASSERT_TRUE(b.submit(order("ls", Side::kSell, 10, OrderType::kLimit, 100.05)));
  auto ev = poll(b);
  ASSERT_EQ(ev.size(), 2u);  // two acks, no fills
  b.on_quote("SPY", quote(99.99, 100.01, 500, kT0 + 1));
  ev = poll(b);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].client_order_id, "lb");
  // Slippage would make it 100.01 * 1.001, but a limit order never fills worse than its limit.
  EXPECT_DOUBLE_EQ(ev[0].fill_price, 100.01);
  b.on_quote("SPY", quote(100.04, 100.06, 500, kT0 + 2));
  EXPECT_TRUE(poll(b).empty());  // bid below the sell limit
  b.on_quote("SPY", quote(100.20, 100.22, 500, kT0 + 3));
  ev = poll(b);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].client_order_id, "ls");
  EXPECT_DOUBLE_EQ(ev[0].fill_price, 100.20 * 0.999);  // slipped, still above the limit
}

TEST(PaperBroker, RejectsDuplicatesAndCancels) {
  ManualClock clock(kT0);
  PaperBroker b({}, clock);
  ASSERT_TRUE(b.submit(order("a", Side::kBuy, 10)));
  auto dup = b.submit(order("a", Side::kBuy, 10));
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message().find("duplicate"), std::string::npos);
  ASSERT_TRUE(b.submit(order("zero", Side::kBuy, 0)));
  ASSERT_TRUE(b.submit(order("nolimit", Side::kBuy, 5, OrderType::kLimit, kNaN)));
  auto ev = poll(b);  // no quote yet: "a" is acknowledged, not filled
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].kind, EventKind::kRejected);
  EXPECT_EQ(ev[0].client_order_id, "zero");
  EXPECT_EQ(ev[1].kind, EventKind::kRejected);
  EXPECT_EQ(ev[1].client_order_id, "nolimit");
  EXPECT_EQ(ev[2].kind, EventKind::kSubmitted);
  ASSERT_TRUE(b.cancel("a"));
  EXPECT_FALSE(b.cancel("a"));
  ev = poll(b);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, EventKind::kCancelled);
  b.on_quote("SPY", quote(100.00, 100.02, 500, kT0));
  EXPECT_TRUE(poll(b).empty());
  EXPECT_EQ(b.position("SPY"), 0);
}

TEST(PaperBroker, SilentSymbolsAreNeverAnswered) {
  ManualClock clock(kT0);
  PaperBroker b({.latency_ms = 0, .slippage_bps = 0, .silent_symbols = {"QQQ"}}, clock);
  b.on_quote("QQQ", Quote{380, 380.02, 500, 500, 380, kT0});
  OrderRequest o = order("q", Side::kBuy, 10);
  o.sym = "QQQ";
  ASSERT_TRUE(b.submit(o));
  clock.advance(10 * kNsPerSec);
  EXPECT_TRUE(poll(b).empty());
  EXPECT_TRUE(b.working("q"));
  EXPECT_TRUE(b.working_symbols().empty());
  EXPECT_EQ(b.position("QQQ"), 0);
}

TEST(PaperBroker, SameInputsSameEvents) {
  auto run = [] {
    ManualClock clock(kT0);
    PaperBroker b({.latency_ms = 5, .slippage_bps = 3, .silent_symbols = {}}, clock);
    std::vector<OrderEvent> all;
    b.set_position("SPY", 20);
    EXPECT_TRUE(b.submit(order("a", Side::kBuy, 120)));
    EXPECT_TRUE(b.submit(order("b", Side::kSell, 30)));
    for (int i = 0; i < 6; ++i) {
      b.on_quote("SPY", quote(100 + i * 0.01, 100.02 + i * 0.01, 25 + i, kT0 + i));
      clock.advance(2 * kNsPerMs);
      EXPECT_TRUE(b.poll(all));
    }
    return std::make_pair(all, b.position("SPY"));
  };
  auto [a, pos_a] = run();
  auto [b, pos_b] = run();
  ASSERT_EQ(a.size(), b.size());
  ASSERT_GT(a.size(), 4u);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].client_order_id, b[i].client_order_id);
    EXPECT_EQ(a[i].kind, b[i].kind);
    EXPECT_EQ(a[i].fill_qty, b[i].fill_qty);
    if (a[i].fill_qty > 0) {
      EXPECT_EQ(a[i].fill_price, b[i].fill_price);
    }
  }
  EXPECT_EQ(pos_a, pos_b);
  std::int64_t net = 20;
  for (const OrderEvent& e : a) net += e.side == Side::kBuy ? e.fill_qty : -e.fill_qty;
  EXPECT_EQ(pos_a, net);
}

}  // namespace
}  // namespace harrier::broker
