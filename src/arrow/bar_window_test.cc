// BarWindowEncoder (P1's window in Arrow's column layout) writes exactly BarEncoder's bytes for
// the last `window` bars pushed, through every wrap of its ring, after assign(), for every
// kind of value (NaN payloads, -0.0, int64 above 2^53, the bool bitmap, windows whose doubled
// bit ring ends inside or at the end of a word), and errs as it does;
// describe() gives the same bytes as pieces.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "arrow/bar_codec.h"

#include "arrow/bar_window.h"

namespace harrier::arrow {
namespace {

// Bars whose every column varies, with the values that a careless copy would change: NaNs with
// payloads, -0.0, denormals, int64 beyond a double's precision, bools in every bit position.
std::vector<Bar> random_bars(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Bar> bars(n);
  for (std::size_t i = 0; i < n; ++i) {
    Bar& b = bars[i];
    for (const ColumnDef& col : kBarColumns) {
      const std::uint64_t r = rng();
      switch (col.type) {
        case ColumnType::kTimestampNs:
        case ColumnType::kInt64:
          column_ref<std::int64_t>(b, col) = static_cast<std::int64_t>(r);
          break;
        case ColumnType::kFloat64: {
          const double specials[] = {kNaN, std::bit_cast<double>(0x7ff8'dead'beef'0001ULL), -0.0,
                                     4.9e-324, 167.41};
          column_ref<double>(b, col) =
              r % 3 == 0 ? specials[(r >> 8) % 5] : std::bit_cast<double>(r >> 2);
          break;
        }
        case ColumnType::kBool:
          column_ref<bool>(b, col) = (r & 1) != 0;
          break;
      }
    }
  }
  return bars;
}

std::string reference(std::span<const Bar> bars, std::string_view symbol, Interval iv) {
  BarEncoder enc;
  std::string out;
  EXPECT_TRUE(enc.encode(bars, symbol, iv, out));
  return out;
}

void expect_same_bars(const Bar& a, const Bar& b, std::size_t row) {
  for (const ColumnDef& col : kBarColumns) {
    const std::size_t n = col.type == ColumnType::kBool ? 1 : 8;
    EXPECT_EQ(std::memcmp(reinterpret_cast<const char*>(&a) + col.offset,
                          reinterpret_cast<const char*>(&b) + col.offset, n),
              0)
        << "row " << row << " column " << col.name;
  }
}

TEST(BarWindowEncoder, EveryPushEncodesAsBarEncoderOnTheLastWindowBars) {
  for (std::size_t window : {1, 2, 3, 7, 9, 32, 63, 64, 65, 120, 200}) {
    SCOPED_TRACE("window " + std::to_string(window));
    const auto bars = random_bars(3 * window + 5, window);
    BarWindowEncoder w(window);
    std::string out;
    std::vector<std::uint8_t> out_vec;
    ASSERT_TRUE(w.encode("SPY", Interval::k1m, out));
    EXPECT_EQ(out, reference({}, "SPY", Interval::k1m));  // no bars yet
    for (std::size_t i = 0; i < bars.size(); ++i) {
      w.push(bars[i]);
      const std::size_t n = std::min(i + 1, window);
      const std::span<const Bar> live(bars.data() + i + 1 - n, n);
      ASSERT_EQ(w.size(), n);
      ASSERT_TRUE(w.encode("SPY", Interval::k1m, out));
      ASSERT_EQ(out, reference(live, "SPY", Interval::k1m)) << "after push " << i;
      ASSERT_TRUE(w.encode("SPY", Interval::k1m, out_vec));
      ASSERT_EQ(std::string(out_vec.begin(), out_vec.end()), out) << "after push " << i;
      for (std::size_t r = 0; r < n; ++r) expect_same_bars(w.bar(r), live[r], r);
    }
  }
}

std::string joined(const PieceSource& source) {
  std::vector<std::string_view> pieces;
  source.append_pieces(pieces);
  std::string out;
  for (std::string_view p : pieces) out.append(p);
  return out;
}

// describe() is encode() without the copy: its pieces, one after another, are the same bytes
// after every push, through every wrap of the ring, and add up to its size(). A stream
// described and still held (a seal the IO thread has not sent) keeps its bytes while the window
// moves on and is described again; the pushes that find the ring held write to a copy of it,
// the others write it in place.
TEST(BarWindowEncoder, DescribedPiecesAreTheEncodedBytesAndAHeldStreamKeepsThem) {
  for (std::size_t window : {1, 2, 3, 9, 64, 120, 130}) {
    SCOPED_TRACE("window " + std::to_string(window));
    const auto bars = random_bars(3 * window + 5, window + 7);
    BarWindowEncoder w(window);
    std::shared_ptr<const PieceSource> held;
    std::string held_bytes;
    std::uint64_t copies = 0;
    for (std::size_t i = 0; i < bars.size(); ++i) {
      w.push(bars[i]);
      // A stream held over one push (every other one): the push copied the ring.
      EXPECT_EQ(w.ring_copies(), held ? ++copies : copies) << "push " << i;
      std::shared_ptr<const PieceSource> stream;
      ASSERT_TRUE(w.describe("SPY", Interval::k1m, stream));
      std::string want;
      ASSERT_TRUE(w.encode("SPY", Interval::k1m, want));
      ASSERT_EQ(joined(*stream), want) << "after push " << i;
      EXPECT_EQ(stream->size(), want.size());
      if (held) {
        EXPECT_EQ(joined(*held), held_bytes) << "held over push " << i;
        held.reset();
      }
      if (i % 2 == 0) {
        held = stream;
        held_bytes = want;
      }
    }
  }
}

TEST(BarWindowEncoder, AnEmptyWindowDescribesAsItEncodes) {
  BarWindowEncoder w(4);
  std::shared_ptr<const PieceSource> stream;
  ASSERT_TRUE(w.describe("QQQ", Interval::k5s, stream));
  std::string want;
  ASSERT_TRUE(w.encode("QQQ", Interval::k5s, want));
  EXPECT_EQ(joined(*stream), want);
  EXPECT_EQ(stream->size(), want.size());
  EXPECT_FALSE(w.describe("", Interval::k5s, stream));
}

TEST(BarWindowEncoder, AssignKeepsTheNewestWindowAndPushesContinueFromIt) {
  const auto bars = random_bars(300, 7);
  BarWindowEncoder w(120);
  w.assign(std::span<const Bar>(bars.data(), 200));  // more than a window: the last 120
  EXPECT_EQ(w.size(), 120u);
  std::string out;
  ASSERT_TRUE(w.encode("IBM", Interval::k5m, out));
  EXPECT_EQ(out, reference(std::span<const Bar>(bars.data() + 80, 120), "IBM", Interval::k5m));
  for (std::size_t i = 200; i < 300; ++i) w.push(bars[i]);
  ASSERT_TRUE(w.encode("IBM", Interval::k5m, out));
  EXPECT_EQ(out, reference(std::span<const Bar>(bars.data() + 180, 120), "IBM", Interval::k5m));

  w.assign(std::span<const Bar>(bars.data(), 5));  // fewer: all of them, the old rows gone
  EXPECT_EQ(w.size(), 5u);
  ASSERT_TRUE(w.encode("IBM", Interval::k5m, out));
  EXPECT_EQ(out, reference(std::span<const Bar>(bars.data(), 5), "IBM", Interval::k5m));
  w.assign({});
  EXPECT_EQ(w.size(), 0u);
}

TEST(BarWindowEncoder, SymbolAndIntervalMayChangeBetweenEncodes) {
  const auto bars = random_bars(10, 3);
  BarWindowEncoder w(10);
  w.assign(bars);
  ASSERT_TRUE(w.prepare("SPY", Interval::k1s));
  std::string out;
  ASSERT_TRUE(w.encode("SPY", Interval::k1s, out));
  EXPECT_EQ(out, reference(bars, "SPY", Interval::k1s));
  ASSERT_TRUE(w.encode("QQQ", Interval::k30s, out));
  EXPECT_EQ(out, reference(bars, "QQQ", Interval::k30s));
  auto back = decode_bars(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(out.data()), out.size()));
  ASSERT_TRUE(back) << back.error().to_string();
  ASSERT_EQ(back->size(), bars.size());
  for (std::size_t r = 0; r < bars.size(); ++r) expect_same_bars((*back)[r], bars[r], r);
}

TEST(BarWindowEncoder, BadSymbolIsAnErrorAsForBarEncoder) {
  BarWindowEncoder w(4);
  w.push(Bar{});
  std::string out;
  auto st = w.encode("", Interval::k1s, out);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kInvalidInput);
  EXPECT_FALSE(w.encode(std::string(65, 'X'), Interval::k1s, out));
  EXPECT_FALSE(w.prepare("", Interval::k1s));
}

}  // namespace
}  // namespace harrier::arrow
