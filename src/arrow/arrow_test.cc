// Round trips through the writer and the reader: every supported type with nulls, NaN, -0.0,
// int64 beyond 2^53, empty tables, several batches, metadata; zero-copy views and copies of
// unaligned input; CSV and schema text.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "arrow/builder.h"
#include "arrow/csv.h"
#include "arrow/reader.h"
#include "arrow/writer.h"
#include "core/types.h"

namespace harrier::arrow {
namespace {

Schema all_types_schema() {
  Schema s;
  s.fields = {
      {"i64", DataType::int64(), true, {{"unit", "shares"}}},
      {"f64", DataType::float64(), true, {}},
      {"flag", DataType::boolean(), true, {}},
      {"ts", DataType::timestamp(TimeUnit::kNano, "UTC"), false, {}},
      {"name", DataType::utf8(), true, {{"a", "1"}, {"b", ""}}},
      {"u8", DataType::integer(8, false), true, {}},
      {"i32", DataType::integer(32, true), true, {}},
      {"f32", DataType::float32(), true, {}},
      {"bin", DataType::binary(), true, {}},
      {"nothing", DataType::null(), true, {}},
  };
  s.metadata = {{"symbol", "SPY"}, {"note", "comma, \"quote\""}};
  return s;
}

constexpr std::int64_t kBig = (std::int64_t{1} << 53) + 1;

// Row r of the test table; every 4th row has nulls in the nullable columns.
RecordBatch make_batch(const Schema& s, int rows, int seed) {
  BatchBuilder b(s);
  for (int r = 0; r < rows; ++r) {
    const bool null_row = r % 4 == 3;
    const int v = seed * 1000 + r;
    if (null_row) {
      b.append_null(0);
      b.append_null(1);
      b.append_null(2);
    } else {
      b.append_int(0, r % 2 ? kBig + v : std::numeric_limits<std::int64_t>::min() + v);
      const double specials[] = {kNaN, -0.0, std::numeric_limits<double>::infinity(), 0.1 * v};
      b.append_double(1, specials[r % 4]);
      b.append_bool(2, v % 3 == 0);
    }
    b.append_int(3, 1'700'000'000'000'000'000 + v);
    if (null_row) {
      b.append_null(4);
    } else {
      b.append_bytes(4, r % 5 == 0 ? std::string_view() : std::string_view("h\xC3\xA9, \"x\"\n"));
    }
    b.append_int(5, 250 + r % 6);
    b.append_int(6, -v);
    b.append_double(7, static_cast<double>(1.5f * static_cast<float>(r)));
    b.append_bytes(8, std::string_view("\0\xff", 2));
    b.append_null(9);
  }
  auto batch = b.finish();
  HARRIER_CHECK(batch.has_value(), "builder");
  return std::move(batch).value();
}

std::uint64_t bits(double d) { return std::bit_cast<std::uint64_t>(d); }

void expect_same_values(const Schema& s, const RecordBatch& a, const RecordBatch& b) {
  ASSERT_EQ(a.num_rows(), b.num_rows());
  ASSERT_EQ(a.num_columns(), b.num_columns());
  for (std::size_t c = 0; c < a.num_columns(); ++c) {
    const DataType& t = s.fields[c].type;
    const ColumnView& x = a.column(c);
    const ColumnView& y = b.column(c);
    EXPECT_EQ(x.null_count, y.null_count) << s.fields[c].name;
    if (t.id == TypeId::kNull) continue;  // all null by type; no bitmap is read
    for (std::int64_t r = 0; r < a.num_rows(); ++r) {
      ASSERT_EQ(x.is_valid(r), y.is_valid(r)) << s.fields[c].name << " row " << r;
      if (!x.is_valid(r) || t.id == TypeId::kNull) continue;
      if (t.id == TypeId::kFloat) {
        EXPECT_EQ(bits(x.float_at(t, r)), bits(y.float_at(t, r))) << s.fields[c].name << r;
      } else if (t.id == TypeId::kBool) {
        EXPECT_EQ(x.bool_at(r), y.bool_at(r));
      } else if (t.is_var_width()) {
        EXPECT_EQ(x.string_at(r), y.string_at(r));
      } else {
        EXPECT_EQ(x.int_at(t, r), y.int_at(t, r)) << s.fields[c].name << " row " << r;
      }
    }
  }
}

TEST(ArrowRoundTrip, EveryTypeWithNullsNanAndLargeInts) {
  const Schema s = all_types_schema();
  Table t{s, {}};
  t.batches.push_back(make_batch(s, 37, 1));
  t.batches.push_back(make_batch(s, 0, 2));
  t.batches.push_back(make_batch(s, 9, 3));
  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(write_stream(t, bytes));
  EXPECT_EQ(bytes.size() % 8, 0u);
  auto back = read_stream(bytes);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->schema, s);
  ASSERT_EQ(back->batches.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) expect_same_values(s, t.batches[i], back->batches[i]);
  // Spot checks on the values that most often go wrong.
  const RecordBatch& b0 = back->batches[0];
  EXPECT_TRUE(std::isnan(b0.column(1).float_at(s.fields[1].type, 0)));
  EXPECT_EQ(bits(b0.column(1).float_at(s.fields[1].type, 1)), bits(-0.0));
  EXPECT_EQ(b0.column(0).int_at(s.fields[0].type, 1), kBig + 1001);
  EXPECT_EQ(b0.column(5).int_at(s.fields[5].type, 5), 255);
  EXPECT_EQ(b0.column(0).null_count, 9);
  EXPECT_EQ(b0.column(9).null_count, 37);
  EXPECT_EQ(b0.column(4).string_at(0), "");
  EXPECT_EQ(b0.column(4).string_at(1), "h\xC3\xA9, \"x\"\n");
}

TEST(ArrowRoundTrip, EmptyTableAndNoBatches) {
  Table t{all_types_schema(), {}};
  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(write_stream(t, bytes));
  auto back = read_stream(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->schema, t.schema);
  EXPECT_TRUE(back->batches.empty());

  Table none;  // no fields at all
  bytes.clear();
  ASSERT_TRUE(write_stream(none, bytes));
  auto back2 = read_stream(bytes);
  ASSERT_TRUE(back2);
  EXPECT_TRUE(back2->schema.fields.empty());
}

TEST(ArrowRoundTrip, ReadsAreViewsIntoAlignedInput) {
  const Schema s = all_types_schema();
  Table t{s, {}};
  t.batches.push_back(make_batch(s, 16, 1));
  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(write_stream(t, bytes));
  auto back = read_stream(bytes);
  ASSERT_TRUE(back);
  const auto* lo = bytes.data();
  const auto* hi = bytes.data() + bytes.size();
  for (std::size_t c = 0; c + 1 < s.fields.size(); ++c) {
    const std::uint8_t* v = back->batches[0].column(c).values;
    EXPECT_TRUE(v >= lo && v < hi) << s.fields[c].name << " was copied";
  }
}

TEST(ArrowRoundTrip, UnalignedInputIsCopiedOrRejectedOnRequest) {
  const Schema s = all_types_schema();
  Table t{s, {}};
  t.batches.push_back(make_batch(s, 21, 4));
  std::vector<std::uint8_t> bytes;
  ASSERT_TRUE(write_stream(t, bytes));
  std::vector<std::uint8_t> shifted(bytes.size() + 1);
  std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
  const std::span<const std::uint8_t> odd(shifted.data() + 1, bytes.size());
  auto back = read_stream(odd);
  ASSERT_TRUE(back) << back.error().to_string();
  expect_same_values(s, t.batches[0], back->batches[0]);
  const std::uint8_t* v = back->batches[0].column(0).values;
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(v) % 8, 0u);
  EXPECT_FALSE(v >= odd.data() && v < odd.data() + odd.size());

  ReadOptions strict;
  strict.require_aligned = true;
  auto rejected = read_stream(odd, strict);
  ASSERT_FALSE(rejected);
  EXPECT_NE(rejected.error().message().find("not aligned"), std::string::npos)
      << rejected.error().message();
  EXPECT_TRUE(read_stream(bytes, strict));
}

TEST(ArrowCsv, NullsEmptyStringsQuotingAndShortestDoubles) {
  Schema s;
  s.fields = {{"ts", DataType::timestamp(TimeUnit::kNano, "UTC"), true, {}},
              {"px", DataType::float64(), true, {}},
              {"s", DataType::utf8(), true, {}},
              {"ok", DataType::boolean(), true, {}}};
  BatchBuilder b(s);
  b.append_int(0, 1381152600007000000);
  b.append_double(1, 167.41);
  b.append_bytes(2, "a,b");
  b.append_bool(3, true);
  b.append_null(0);
  b.append_double(1, -0.0);
  b.append_bytes(2, "");
  b.append_null(3);
  b.append_int(0, -1);
  b.append_null(1);
  b.append_null(2);
  b.append_bool(3, false);
  auto batch = b.finish();
  ASSERT_TRUE(batch);
  std::string out;
  append_csv_header(s, out);
  append_csv_rows(s, *batch, out);
  EXPECT_EQ(out,
            "ts,px,s,ok\n"
            "1381152600007000000,167.41,\"a,b\",true\n"
            ",-0,\"\",\n"
            "-1,,,false\n");
}

TEST(ArrowCsv, DescribeSchemaNamesTypesAndMetadata) {
  const std::string text = describe_schema(all_types_schema());
  EXPECT_NE(text.find("ts: timestamp[ns, tz=UTC] not null\n"), std::string::npos) << text;
  EXPECT_NE(text.find("i64: int64\n    unit = shares\n"), std::string::npos) << text;
  EXPECT_NE(text.find("u8: uint8\n"), std::string::npos) << text;
  EXPECT_NE(text.find("symbol = SPY\n"), std::string::npos) << text;
}

TEST(ArrowWriter, RejectsBatchThatDoesNotFitTheSchema) {
  const Schema s = all_types_schema();
  RecordBatch b = make_batch(s, 4, 1);
  Schema fewer = s;
  fewer.fields.pop_back();
  std::vector<std::uint8_t> out;
  auto st = append_batch_message(fewer, b, out);
  ASSERT_FALSE(st);
  EXPECT_TRUE(out.empty());
  ColumnView lying = b.column(0);
  lying.validity = nullptr;
  lying.null_count = 1;
  b.set_column(0, lying);
  auto st2 = append_batch_message(s, b, out);
  ASSERT_FALSE(st2);
  EXPECT_NE(st2.error().message().find("'i64'"), std::string::npos) << st2.error().message();
}

}  // namespace
}  // namespace harrier::arrow
