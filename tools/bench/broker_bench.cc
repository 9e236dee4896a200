// The paper broker's cost per order as the day's orders pile up (issue #7: at 100 symbols P2
// sends ~200 orders a second, and a profile of P2 found 8% of its samples in submit's search of
// every id it had seen). Each iteration submits, polls and fills one market order after
// `range(0)` earlier orders; the baseline copies the order's id and symbol.
//
//   BM_CopyOrderStrings   the baseline: two short strings copied (what submit stores at least)
//   BM_PaperSubmitFill    submit + on_quote + poll of one order after N earlier orders
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "broker/paper_broker.h"
#include "core/clock.h"

namespace harrier::broker {
namespace {

OrderRequest market_buy(std::int64_t n) {
  OrderRequest o;
  o.client_order_id = "ema_rsi_confluence-SYM" + std::to_string(n % 100) + "-buy-1s-" +
                      std::to_string(1'700'000'000 + n);
  o.sym = "SYM" + std::to_string(n % 100);
  o.side = Side::kBuy;
  o.qty = 100;
  o.type = strategy::OrderType::kMarket;
  return o;
}

void BM_CopyOrderStrings(benchmark::State& state) {
  const OrderRequest o = market_buy(12345);
  for (auto _ : state) {
    std::string id = o.client_order_id, sym = o.sym;
    benchmark::DoNotOptimize(id.data());
    benchmark::DoNotOptimize(sym.data());
  }
}
BENCHMARK(BM_CopyOrderStrings);

void BM_PaperSubmitFill(benchmark::State& state) {
  const std::int64_t earlier = state.range(0);
  PaperBroker broker(PaperBrokerConfig{}, SystemClock::instance());
  std::vector<OrderEvent> events;
  Quote q{100.0, 100.01, 500, 500, 100.0, 1};
  std::int64_t n = 0;
  for (; n < earlier; ++n) {
    if (!broker.submit(market_buy(n))) state.SkipWithError("submit refused");
    broker.on_quote(market_buy(n).sym, q);
    events.clear();
    (void)broker.poll(events);
  }
  for (auto _ : state) {
    const OrderRequest o = market_buy(n++);
    if (!broker.submit(o)) state.SkipWithError("submit refused");
    ++q.ts_ns;
    broker.on_quote(o.sym, q);
    events.clear();
    if (!broker.poll(events) || events.empty()) state.SkipWithError("no fill");
  }
}
BENCHMARK(BM_PaperSubmitFill)->Arg(0)->Arg(10'000)->Arg(100'000);

}  // namespace
}  // namespace harrier::broker

BENCHMARK_MAIN();
