// The bar codec: Bars -> Arrow IPC -> Bars keeps every value bit for bit; the bytes are a plain
// Arrow stream the generic reader understands; schema mismatches are named errors;
// decode_bars_into (P2's reader) gives exactly what decode_bars gives, errors included.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "arrow/bar_codec.h"
#include "arrow/builder.h"
#include "arrow/reader.h"
#include "arrow/writer.h"

namespace harrier::arrow {
namespace {

std::vector<Bar> make_bars(int n) {
  std::vector<Bar> bars(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    Bar& b = bars[static_cast<std::size_t>(i)];
    b.ts = 1381152600000000000 + i * 5 * kNsPerSec;
    b.seq = (std::int64_t{1} << 53) + i;  // above 2^53: must not pass through a double
    for (std::size_t c = 2; c < kBarColumnCount; ++c) {
      const ColumnDef& col = kBarColumns[c];
      if (col.type == ColumnType::kFloat64) {
        const double specials[] = {kNaN, -0.0, 167.41 + i, 1e-300 * i, -1.0 / 3};
        column_ref<double>(b, col) = specials[(static_cast<std::size_t>(i) + c) % 5];
      } else if (col.type == ColumnType::kInt64) {
        column_ref<std::int64_t>(b, col) = -i * static_cast<std::int64_t>(c);
      } else if (col.type == ColumnType::kBool) {
        column_ref<bool>(b, col) = i % 3 == 1;
      }
    }
  }
  return bars;
}

void expect_bits_equal(const Bar& a, const Bar& b, std::int64_t row) {
  for (const ColumnDef& col : kBarColumns) {
    const std::size_t n = col.type == ColumnType::kBool ? 1 : 8;
    EXPECT_EQ(std::memcmp(reinterpret_cast<const char*>(&a) + col.offset,
                          reinterpret_cast<const char*>(&b) + col.offset, n),
              0)
        << "row " << row << " column " << col.name;
  }
}

TEST(BarCodec, RoundTripKeepsEveryBit) {
  const auto bars = make_bars(120);
  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(encode_bars(bars, "SPY", Interval::k5s, bytes));
  auto back = decode_bars(bytes);
  ASSERT_TRUE(back) << back.error().to_string();
  ASSERT_EQ(back->size(), bars.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    expect_bits_equal(bars[i], (*back)[i], static_cast<std::int64_t>(i));
  }
  auto view = view_bars(bytes);
  ASSERT_TRUE(view) << view.error().to_string();
  EXPECT_EQ(view->symbol, "SPY");
  EXPECT_EQ(view->interval, Interval::k5s);
  EXPECT_EQ(view->schema_version, kBarSchemaVersion);
  ASSERT_EQ(view->rows, 120);
  for (std::int64_t r = 0; r < view->rows; ++r) {
    auto bar = view->bar(r);
    ASSERT_TRUE(bar);
    expect_bits_equal(bars[static_cast<std::size_t>(r)], *bar, r);
  }
  auto info = read_bar_metadata(bytes);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->symbol, "SPY");
  EXPECT_EQ(info->interval, Interval::k5s);
}

TEST(BarCodec, BytesAreAPlainArrowStreamOfTheBarSchema) {
  const auto bars = make_bars(7);
  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(encode_bars(bars, "IBM", Interval::k1m, bytes));
  auto t = read_stream(bytes, ReadOptions{true, 1 << 20});  // strict alignment must hold
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->schema, bar_schema("IBM", Interval::k1m));
  EXPECT_EQ(find_metadata(t->schema.metadata, "schema_version"), "1");
  EXPECT_EQ(find_metadata(t->schema.metadata, "interval"), "1m");
  ASSERT_EQ(t->batches.size(), 1u);
  EXPECT_EQ(t->batches[0].num_rows(), 7);
  EXPECT_EQ(t->schema.fields[0].type.to_string(), "timestamp[ns, tz=UTC]");
  EXPECT_EQ(t->batches[0].column(0).as<std::int64_t>()[3], bars[3].ts);
  // The same bytes as the generic writer produces from an equivalent table.
  const Schema s = bar_schema("IBM", Interval::k1m);
  BatchBuilder b(s);
  for (const Bar& bar : bars) {
    for (std::size_t c = 0; c < kBarColumnCount; ++c) {
      const ColumnDef& col = kBarColumns[c];
      switch (col.type) {
        case ColumnType::kTimestampNs:
        case ColumnType::kInt64:
          b.append_int(c, column_ref<std::int64_t>(bar, col));
          break;
        case ColumnType::kFloat64:
          b.append_double(c, column_ref<double>(bar, col));
          break;
        case ColumnType::kBool:
          b.append_bool(c, column_ref<bool>(bar, col));
          break;
      }
    }
  }
  Table generic{s, {}};
  generic.batches.push_back(std::move(b.finish()).value());
  std::vector<std::uint8_t> generic_bytes;
  ASSERT_TRUE(write_stream(generic, generic_bytes));
  EXPECT_EQ(generic_bytes, bytes);
}

TEST(BarCodec, EncoderReuseAndStringOutputMatchAFreshEncoder) {
  BarEncoder enc;
  std::vector<std::uint8_t> a;
  std::string s;
  for (int round = 0; round < 3; ++round) {
    for (auto [n, sym, iv] :
         {std::tuple{120, "SPY", Interval::k1s}, std::tuple{3, "QQQ", Interval::k5m},
          std::tuple{0, "QQQ", Interval::k5m}, std::tuple{121, "SPY", Interval::k1s}}) {
      const auto bars = make_bars(n);
      ASSERT_TRUE(enc.encode(bars, sym, iv, a));
      ASSERT_TRUE(enc.encode(bars, sym, iv, s));
      BarEncoder fresh;
      std::vector<std::uint8_t> want;
      ASSERT_TRUE(fresh.encode(bars, sym, iv, want));
      EXPECT_EQ(a, want) << n << " " << sym;
      EXPECT_EQ(std::string(want.begin(), want.end()), s);
      auto back = decode_bars(a);
      ASSERT_TRUE(back) << back.error().to_string();
      EXPECT_EQ(back->size(), static_cast<std::size_t>(n));
    }
  }
  EXPECT_FALSE(enc.encode({}, "", Interval::k1s, a));
}

// The batch messages are shared by row count between every encoder of the process, built by
// whichever thread needs one first; past 4,096 rows each encoder builds its own. Streams from
// four threads at once, at row counts none has built before, and past the shared table, decode
// to their bars and equal one thread's bytes.
TEST(BarCodec, SharedBatchMessagesGiveTheSameStreamsFromEveryThread) {
  const std::vector<int> counts = {777, 778, 779, 4095, 4096, 4097, 5000};
  std::vector<std::vector<std::vector<std::uint8_t>>> got(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] {
      BarEncoder enc;
      for (int n : counts) {
        auto& out = got[t].emplace_back();
        if (!enc.encode(make_bars(n), "SPY", Interval::k1m, out)) out.clear();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const auto want_bars = make_bars(counts[i]);
    auto back = decode_bars(got[0][i]);
    ASSERT_TRUE(back) << counts[i] << ": " << back.error().to_string();
    ASSERT_EQ(back->size(), want_bars.size());
    expect_bits_equal(want_bars.back(), back->back(), counts[i] - 1);
    for (std::size_t t = 1; t < got.size(); ++t) EXPECT_EQ(got[t][i], got[0][i]) << counts[i];
  }
  // prepare_rows builds them ahead; an encoder then gives the same bytes.
  BarEncoder::prepare_rows(130);
  BarEncoder enc;
  std::vector<std::uint8_t> after;
  ASSERT_TRUE(enc.encode(make_bars(129), "QQQ", Interval::k5s, after));
  auto back = decode_bars(after);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->size(), 129u);
}

TEST(BarCodec, ViewWorksOnUnalignedInput) {
  const auto bars = make_bars(33);
  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(encode_bars(bars, "SPY", Interval::k15s, bytes));
  std::vector<std::uint8_t> shifted(bytes.size() + 3);
  std::memcpy(shifted.data() + 3, bytes.data(), bytes.size());
  std::span<const std::uint8_t> odd(shifted.data() + 3, bytes.size());
  auto view = view_bars(odd);
  ASSERT_TRUE(view) << view.error().to_string();
  EXPECT_EQ(view->symbol, "SPY");
  for (std::int64_t r = 0; r < 33; ++r)
    expect_bits_equal(bars[static_cast<std::size_t>(r)], *view->bar(r), r);
  auto decoded = decode_bars(odd);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->size(), 33u);
}

// A table of the bar schema built generically, with `edit` applied to the schema first.
template <typename Edit>
std::vector<std::uint8_t> bar_like(Edit edit, bool float_nulls = false) {
  Schema s = bar_schema("SPY", Interval::k5s);
  edit(s);
  BatchBuilder b(s);
  for (int r = 0; r < 4; ++r) {
    for (std::size_t c = 0; c < s.fields.size(); ++c) {
      const DataType& t = s.fields[c].type;
      if (float_nulls && r == 2 && t.id == TypeId::kFloat) {
        b.append_null(c);
      } else if (t.is_integer_like()) {
        b.append_int(c, r);
      } else if (t.id == TypeId::kFloat) {
        b.append_double(c, r + 0.5);
      } else if (t.id == TypeId::kBool) {
        b.append_bool(c, true);
      } else if (t.is_var_width()) {
        b.append_bytes(c, "x");
      } else {
        b.append_null(c);
      }
    }
  }
  Table t{s, {}};
  t.batches.push_back(std::move(b.finish()).value());
  t.batches.push_back(std::move(b.finish()).value());  // an empty second batch
  std::vector<std::uint8_t> out;
  HARRIER_CHECK(write_stream(t, out).has_value(), "write");
  return out;
}

void expect_mismatch(const std::vector<std::uint8_t>& bytes, std::string_view needle) {
  auto d = decode_bars(bytes);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message().find(needle), std::string::npos) << d.error().message();
  auto v = view_bars(bytes);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message().find(needle), std::string::npos) << v.error().message();
}

TEST(BarCodec, MismatchedSchemaIsANamedError) {
  expect_mismatch(bar_like([](Schema& s) { s.fields[5].name = "closing"; }),
                  "field 5 is 'closing' (float64), expected 'close' (float64)");
  expect_mismatch(bar_like([](Schema& s) { s.fields[1].type = DataType::float64(); }),
                  "field 1 is 'seq' (float64), expected 'seq' (int64)");
  expect_mismatch(bar_like([](Schema& s) { s.fields[0].type.timezone = "America/New_York"; }),
                  "expected 'ts' (timestamp[ns, tz=UTC])");
  expect_mismatch(bar_like([](Schema& s) { s.fields.pop_back(); }), "42 fields, expected 43");
  expect_mismatch(bar_like([](Schema& s) {
                    s.fields.push_back({"x", DataType::utf8(), true, {}});
                  }),
                  "44 fields");
  expect_mismatch(bar_like([](Schema& s) { s.metadata[2].second = "2"; }),
                  "schema_version 2, this build reads 1");
  expect_mismatch(bar_like([](Schema& s) { s.metadata[1].second = "7s"; }), "interval");
  expect_mismatch(bar_like([](Schema& s) { s.metadata.erase(s.metadata.begin()); }),
                  "no 'symbol' metadata");
}

TEST(BarCodec, DecodeAcceptsOtherWritersNullableVariant) {
  // Nullable fields, NaN-as-null floats and a second (empty) batch: decode_bars reads it, the
  // zero-copy view (Harrier's own single-batch layout) refuses it by name.
  auto bytes = bar_like(
      [](Schema& s) {
        for (Field& f : s.fields) f.nullable = true;
      },
      true);
  auto d = decode_bars(bytes);
  ASSERT_TRUE(d) << d.error().to_string();
  ASSERT_EQ(d->size(), 4u);
  EXPECT_TRUE(std::isnan((*d)[2].close));
  EXPECT_EQ((*d)[1].close, 1.5);
  EXPECT_EQ((*d)[3].seq, 3);
  auto v = view_bars(bytes);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code(), ErrorCode::kUnsupported);
}

TEST(BarCodec, NullInAnIntegerColumnIsAnError) {
  Schema s = bar_schema("SPY", Interval::k5s);
  BatchBuilder b(s);
  for (std::size_t c = 0; c < s.fields.size(); ++c) {
    if (c == 9) {
      b.append_null(c);  // volume
    } else if (s.fields[c].type.is_integer_like()) {
      b.append_int(c, 1);
    } else if (s.fields[c].type.id == TypeId::kFloat) {
      b.append_double(c, 1);
    } else {
      b.append_bool(c, false);
    }
  }
  Table t{s, {}};
  t.batches.push_back(std::move(b.finish()).value());
  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(write_stream(t, bytes));
  auto d = decode_bars(bytes);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message().find("column 'volume' is null"), std::string::npos)
      << d.error().message();
  auto v = view_bars(bytes);
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->bar(0));
}

TEST(BarCodec, CorruptBarBytesAreErrors) {
  const auto bars = make_bars(5);
  std::vector<std::uint8_t> good;
  ASSERT_TRUE(encode_bars(bars, "SPY", Interval::k5s, good));
  int errors = 0;
  for (std::size_t n = 0; n + 8 < good.size(); n += 7) {
    if (!view_bars(std::span(good).first(n))) ++errors;
    auto d = decode_bars(std::span(good).first(n));
    (void)d;
  }
  EXPECT_GT(errors, 0);
  for (std::size_t i = 0; i < good.size(); i += 3) {
    auto bad = good;
    bad[i] ^= 0x5A;
    auto v = view_bars(bad);
    auto d = decode_bars(bad);
    (void)v;
    (void)d;
  }
}

// ---- decode_bars_into: the same answer as decode_bars, into a reused vector ---------------

// decode_bars_into(bytes) into `reused` gives what decode_bars(bytes) gives: both fail with the
// same code and message (and `reused` is left empty), or both succeed with the same bits.
void expect_same_as_decode_bars(std::span<const std::uint8_t> bytes, std::vector<Bar>& reused,
                                const std::string& what) {
  auto want = decode_bars(bytes);
  auto st = decode_bars_into(bytes, reused);
  ASSERT_EQ(st.has_value(), want.has_value())
      << what << ": " << (st ? want.error().to_string() : st.error().to_string());
  if (!want) {
    EXPECT_EQ(st.error().code(), want.error().code()) << what;
    EXPECT_EQ(st.error().message(), want.error().message()) << what;
    EXPECT_TRUE(reused.empty()) << what;
    return;
  }
  ASSERT_EQ(reused.size(), want->size()) << what;
  for (std::size_t i = 0; i < reused.size(); ++i) {
    SCOPED_TRACE(what);
    expect_bits_equal((*want)[i], reused[i], static_cast<std::int64_t>(i));
  }
}

// Bars whose every field differs from make_bars' (no NaN where make_bars has a number, the
// other bool), so a value left over from a previous window shows.
std::vector<Bar> other_bars(int n) {
  std::vector<Bar> bars(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    Bar& b = bars[static_cast<std::size_t>(i)];
    for (const ColumnDef& col : kBarColumns) {
      if (col.type == ColumnType::kFloat64) column_ref<double>(b, col) = 9e9 + i;
      if (col.type == ColumnType::kInt64 || col.type == ColumnType::kTimestampNs) {
        column_ref<std::int64_t>(b, col) = 777 + i;
      }
      if (col.type == ColumnType::kBool) column_ref<bool>(b, col) = i % 3 != 1;
    }
  }
  return bars;
}

TEST(BarCodecDecodeInto, MatchesDecodeBarsOnEveryColumnAndWindowSize) {
  // NaN, -0.0, denormal-ish and 2^53+ values in all 43 columns, bools across byte boundaries,
  // windows growing and shrinking through one reused vector (stale values would show).
  std::vector<Bar> reused;
  for (int n : {120, 0, 1, 7, 8, 9, 33, 121, 5, 120}) {
    for (bool other : {false, true}) {
      const auto bars = other ? other_bars(n) : make_bars(n);
      std::vector<std::uint8_t> bytes;
      ASSERT_TRUE(encode_bars(bars, "SPY", Interval::k5s, bytes));
      expect_same_as_decode_bars(bytes, reused, std::to_string(n) + " rows");
      ASSERT_EQ(reused.size(), bars.size());
      for (std::size_t i = 0; i < bars.size(); ++i) {
        expect_bits_equal(bars[i], reused[i], static_cast<std::int64_t>(i));
      }
    }
  }
}

TEST(BarCodecDecodeInto, ReadsARealP1WindowAndUnalignedInput) {
  // A window P1 wrote for SPY 5s (the fuzz corpus seed).
  std::ifstream in(
      std::string(HARRIER_SOURCE_DIR) + "/src/arrow/fuzz_corpus/bars_spy_5s_8rows.arrows",
      std::ios::binary);
  std::vector<std::uint8_t> real((std::istreambuf_iterator<char>(in)),
                                 std::istreambuf_iterator<char>());
  ASSERT_FALSE(real.empty());
  std::vector<Bar> reused = other_bars(200);
  expect_same_as_decode_bars(real, reused, "bars_spy_5s_8rows");
  EXPECT_EQ(reused.size(), 8u);
  EXPECT_TRUE(view_bars(real));  // the fast path, not the fallback

  std::vector<std::uint8_t> shifted(real.size() + 5);
  std::memcpy(shifted.data() + 5, real.data(), real.size());
  expect_same_as_decode_bars(std::span<const std::uint8_t>(shifted).subspan(5, real.size()), reused,
                             "unaligned");
}

// A single-batch stream of the bar schema written by the generic writer, with nullable fields
// and, in row 2, null floats: view_bars accepts it with validity bitmaps (the fast path).
std::vector<std::uint8_t> single_batch_with_float_nulls(std::size_t null_int_col = 0) {
  Schema s = bar_schema("SPY", Interval::k5s);
  for (Field& f : s.fields) f.nullable = true;
  BatchBuilder b(s);
  for (int r = 0; r < 11; ++r) {
    for (std::size_t c = 0; c < s.fields.size(); ++c) {
      const DataType& t = s.fields[c].type;
      if ((r == 2 && t.id == TypeId::kFloat) ||
          (null_int_col != 0 && c == null_int_col && r >= 6)) {
        b.append_null(c);
      } else if (t.is_integer_like()) {
        b.append_int(c, r * 1000 + static_cast<std::int64_t>(c));
      } else if (t.id == TypeId::kFloat) {
        b.append_double(c, r + c * 0.25);
      } else {
        b.append_bool(c, r % 2 == 0);
      }
    }
  }
  Table t{s, {}};
  t.batches.push_back(std::move(b.finish()).value());
  std::vector<std::uint8_t> out;
  HARRIER_CHECK(write_stream(t, out).has_value(), "write");
  return out;
}

TEST(BarCodecDecodeInto, NullFloatsReadAsNaNThroughTheView) {
  const auto bytes = single_batch_with_float_nulls();
  auto view = view_bars(bytes);
  ASSERT_TRUE(view) << view.error().to_string();
  ASSERT_NE(view->validity[2], nullptr);  // open has nulls: the validity path is exercised
  std::vector<Bar> reused = make_bars(3);
  expect_same_as_decode_bars(bytes, reused, "float nulls");
  ASSERT_EQ(reused.size(), 11u);
  EXPECT_TRUE(std::isnan(reused[2].close));
  EXPECT_EQ(reused[3].close, 3 + 5 * 0.25);
  EXPECT_EQ(reused[4].seq, 4001);
  EXPECT_TRUE(reused[4].filled);
  EXPECT_FALSE(reused[5].filled);
}

TEST(BarCodecDecodeInto, NullInAnIntegerOrBoolColumnIsDecodeBarsError) {
  for (std::size_t col : {std::size_t{1}, std::size_t{9}, std::size_t{13}}) {  // seq volume filled
    const auto bytes = single_batch_with_float_nulls(col);
    std::vector<Bar> reused = make_bars(4);
    expect_same_as_decode_bars(bytes, reused, "null in column " + std::to_string(col));
    auto st = decode_bars_into(bytes, reused);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find("row 6 column '" + std::string(kBarColumns[col].name) +
                                        "' is null"),
              std::string::npos)
        << st.error().message();
  }
}

TEST(BarCodecDecodeInto, FallsBackToDecodeBarsForOtherWritersLayouts) {
  // Two batches (the second empty): view_bars says kUnsupported, decode_bars reads it.
  auto bytes = bar_like(
      [](Schema& s) {
        for (Field& f : s.fields) f.nullable = true;
      },
      true);
  ASSERT_EQ(view_bars(bytes).error().code(), ErrorCode::kUnsupported);
  std::vector<Bar> reused = other_bars(50);
  expect_same_as_decode_bars(bytes, reused, "two batches");
  ASSERT_EQ(reused.size(), 4u);
  EXPECT_TRUE(std::isnan(reused[2].close));
  EXPECT_EQ(reused[1].close, 1.5);
}

TEST(BarCodecDecodeInto, BadInputIsDecodeBarsError) {
  std::vector<Bar> reused;
  expect_same_as_decode_bars({}, reused, "empty");
  reused = make_bars(3);
  expect_same_as_decode_bars(bar_like([](Schema& s) { s.fields[5].name = "closing"; }), reused,
                             "renamed field");
  const auto bars = make_bars(9);
  std::vector<std::uint8_t> good;
  ASSERT_TRUE(encode_bars(bars, "SPY", Interval::k5s, good));
  for (std::size_t n = 0; n < good.size(); n += 5) {
    reused = make_bars(2);
    expect_same_as_decode_bars(std::span(good).first(n), reused, "first " + std::to_string(n));
  }
  for (std::size_t i = 0; i < good.size(); i += 3) {
    auto bad = good;
    bad[i] ^= 0x5A;
    reused = make_bars(2);
    expect_same_as_decode_bars(bad, reused, "flipped byte " + std::to_string(i));
  }
}

}  // namespace
}  // namespace harrier::arrow
