#include "indicators/enricher.h"

#include <cmath>

namespace harrier {
namespace {
// pandas Series.clip(lower=0): NaN stays NaN, negatives become 0, -0.0 stays -0.0.
double clip_lower_zero(double v) { return v < 0 ? 0.0 : v; }
}  // namespace

SeriesIndicators::SeriesIndicators()
    : ema9_(Ewm::span(9)),
      ema21_(Ewm::span(21)),
      ema12_(Ewm::span(12)),
      ema26_(Ewm::span(26)),
      signal_(Ewm::span(9)),
      avg_gain_(1.0 / 14.0),
      avg_loss_(1.0 / 14.0),
      flow_{Ewm::span(9), Ewm::span(9), Ewm::span(9), Ewm::span(9),
            Ewm::span(9), Ewm::span(9), Ewm::span(9), Ewm::span(9)} {}

void SeriesIndicators::apply(Bar& bar) {
  const double x = bar.close_filled;
  bar.ema9 = ema9_.update(x);
  bar.ema21 = ema21_.update(x);
  const double macd = ema12_.update(x) - ema26_.update(x);
  bar.macd = macd;
  bar.macd_signal = signal_.update(macd);
  bar.macd_hist = macd - bar.macd_signal;

  const double d = x - prev_close_;
  prev_close_ = x;
  const double gain = avg_gain_.update(clip_lower_zero(d));
  const double loss = avg_loss_.update(clip_lower_zero(-d));
  bar.rsi14 = 100.0 - 100.0 / (1.0 + gain / loss);

  bar.ema_dom_hit_rate = flow_[0].update(bar.dom_hit_rate);
  bar.ema_directional_pressure = flow_[1].update(bar.directional_pressure);
  bar.ema_delta_price = flow_[2].update(bar.delta_price);
  bar.ema_delta = flow_[3].update(bar.delta);
  bar.ema_book_imbalance = flow_[4].update(bar.book_imbalance);
  bar.ema_buy_volume = flow_[5].update(bar.buy_volume);
  bar.ema_sell_volume = flow_[6].update(bar.sell_volume);
  bar.ema_volume = flow_[7].update(static_cast<double>(bar.volume));
}

void Enricher::apply(SymbolId symbol, Interval iv, Bar& bar) {
  if (symbol >= series_.size()) series_.resize(static_cast<std::size_t>(symbol) + 1);
  series_[symbol][index_of(iv)].apply(bar);
}

}  // namespace harrier
