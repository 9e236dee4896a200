// Hostile input: truncated streams, wrong magic, lying lengths, offsets outside the buffer,
// unaligned buffers, bad offsets and null counts, corrupted bytes. Each must be an Error value;
// run under ASan/UBSan (the debug preset) this also proves no read outside the input.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "arrow/builder.h"
#include "arrow/ipc_internal.h"
#include "arrow/reader.h"
#include "arrow/writer.h"

namespace harrier::arrow {
namespace {

Schema two_columns() {
  Schema s;
  s.fields = {{"x", DataType::int64(), true, {}}, {"s", DataType::utf8(), true, {}}};
  return s;
}

std::vector<std::uint8_t> valid_stream(int batches = 2) {
  const Schema s = two_columns();
  Table t{s, {}};
  for (int k = 0; k < batches; ++k) {
    BatchBuilder b(s);
    for (int r = 0; r < 10; ++r) {
      if (r == 3) {
        b.append_null(0);
      } else {
        b.append_int(0, r * 7 + k);
      }
      b.append_bytes(1, "abc");
    }
    t.batches.push_back(std::move(b.finish()).value());
  }
  std::vector<std::uint8_t> out;
  HARRIER_CHECK(write_stream(t, out).has_value(), "write");
  return out;
}

// A stream whose single batch message is built by hand from `buffers` over `body`.
std::vector<std::uint8_t> stream_with_batch(std::int64_t rows,
                                            std::vector<detail::fbs::FieldNode> nodes,
                                            std::vector<detail::fbs::Buffer> buffers,
                                            const std::vector<std::uint8_t>& body,
                                            std::int64_t body_length_claim = -1) {
  std::vector<std::uint8_t> out;
  append_schema_message(two_columns(), out);
  flatbuffers::FlatBufferBuilder b;
  detail::build_batch_message(
      b, rows, nodes, buffers,
      body_length_claim >= 0 ? body_length_claim : static_cast<std::int64_t>(body.size()));
  const std::size_t at = out.size();
  out.resize(at + detail::framed_size(b.GetSize()));
  detail::write_framed(out.data() + at, {b.GetBufferPointer(), b.GetSize()});
  out.insert(out.end(), body.begin(), body.end());
  append_end_of_stream(out);
  return out;
}

// Body for 2 rows: x = {5, 6}, s = {"ab", "c"}.
struct HandBatch {
  std::vector<std::uint8_t> body = std::vector<std::uint8_t>(40, 0);
  std::vector<detail::fbs::FieldNode> nodes = {{2, 0}, {2, 0}};
  std::vector<detail::fbs::Buffer> buffers = {{0, 0}, {0, 16}, {16, 0}, {16, 12}, {32, 3}};
  HandBatch() {
    const std::int64_t x[2] = {5, 6};
    const std::int32_t off[3] = {0, 2, 3};
    std::memcpy(body.data(), x, 16);
    std::memcpy(body.data() + 16, off, 12);
    std::memcpy(body.data() + 32, "abc", 3);
  }
  std::vector<std::uint8_t> bytes() const { return stream_with_batch(2, nodes, buffers, body); }
};

void expect_error(const Result<Table>& r, std::string_view needle) {
  ASSERT_FALSE(r) << "expected an error containing '" << needle << "'";
  EXPECT_NE(r.error().message().find(needle), std::string::npos) << r.error().to_string();
}

TEST(ArrowBadInput, HandBuiltBatchIsValidAsAControl) {
  const auto bytes = HandBatch().bytes();  // the table borrows it
  auto t = read_stream(bytes);
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->batches[0].column(0).int_at(DataType::int64(), 1), 6);
  EXPECT_EQ(t->batches[0].column(1).string_at(0), "ab");
}

TEST(ArrowBadInput, EveryTruncationIsAnErrorOrAShorterTable) {
  const auto full = valid_stream(3);
  const auto whole = read_stream(full);
  ASSERT_TRUE(whole);
  int errors = 0;
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto t = read_stream(std::span(full).first(n));
    if (t) {
      // Only a cut at a message boundary reads; just the end-of-stream marker may go missing.
      if (n != full.size() - 8) {
        EXPECT_LT(t->num_rows(), whole->num_rows()) << "prefix " << n;
      }
    } else {
      ++errors;
      EXPECT_EQ(t.error().code(), ErrorCode::kInvalidInput) << t.error().to_string();
    }
  }
  EXPECT_GT(errors, static_cast<int>(full.size()) - 10);
  expect_error(read_stream(std::span(full).first(full.size() - 20)), "runs past the end");
}

TEST(ArrowBadInput, WrongMagicAndTruncatedFile) {
  const std::string path = std::string(HARRIER_SOURCE_DIR) +
                           "/tests/data/arrow_ipc/2.0.0-compression/generated_zstd.arrow_file";
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> file{std::istreambuf_iterator<char>(in), {}};
  ASSERT_GT(file.size(), 100u);
  ASSERT_TRUE(read_file(file));
  auto bad = file;
  bad[0] = 'X';
  expect_error(read_file(bad), "wrong leading magic");
  bad = file;
  bad[bad.size() - 1] = 'X';
  expect_error(read_file(bad), "wrong trailing magic");
  expect_error(read_file(std::span(file).first(file.size() - 3)), "wrong trailing magic");
  bad = file;
  const std::int32_t huge = 1 << 30;
  std::memcpy(bad.data() + bad.size() - 10, &huge, 4);
  expect_error(read_file(bad), "footer length");
  expect_error(read_file(std::span(file).first(10)), "too short");
  expect_error(read_stream(std::vector<std::uint8_t>{0xFF, 0xFF, 0xFF, 0xFF, 9}), "truncated");
}

TEST(ArrowBadInput, LyingLengths) {
  auto bytes = valid_stream();
  const std::int32_t huge = 1 << 30;
  std::memcpy(bytes.data() + 4, &huge, 4);
  expect_error(read_stream(bytes), "metadata length");
  const std::int32_t negative = -16;
  std::memcpy(bytes.data() + 4, &negative, 4);
  expect_error(read_stream(bytes), "negative metadata length");

  HandBatch h;
  expect_error(read_stream(stream_with_batch(2, h.nodes, h.buffers, h.body, 1 << 20)),
               "body length");
  expect_error(read_stream(stream_with_batch(3, {{3, 0}, {3, 0}}, h.buffers, h.body)),
               "need");  // 3 rows do not fit 16 value bytes
  expect_error(read_stream(stream_with_batch(2, {{2, 0}}, h.buffers, h.body)), "field nodes");
  auto fewer = h.buffers;
  fewer.pop_back();
  expect_error(read_stream(stream_with_batch(2, h.nodes, fewer, h.body)), "buffers where");
  expect_error(read_stream(stream_with_batch(2, {{2, 3}, {2, 0}}, h.buffers, h.body)),
               "null_count 3 out of range");
  expect_error(read_stream(stream_with_batch(2, {{2, 1}, {2, 0}}, h.buffers, h.body)),
               "validity bitmap has 0 bytes");
}

TEST(ArrowBadInput, BufferOffsetsOutsideTheBody) {
  HandBatch h;
  auto b = h.buffers;
  b[1] = {32, 16};  // runs past the 40-byte body
  expect_error(read_stream(stream_with_batch(2, h.nodes, b, h.body)), "lies outside");
  b = h.buffers;
  b[4] = {-8, 3};
  expect_error(read_stream(stream_with_batch(2, h.nodes, b, h.body)), "lies outside");
  b = h.buffers;
  b[4] = {std::int64_t{1} << 62, std::int64_t{1} << 62};
  expect_error(read_stream(stream_with_batch(2, h.nodes, b, h.body)), "lies outside");
}

TEST(ArrowBadInput, BadOffsetsAndNullCounts) {
  HandBatch h;
  auto body = h.body;
  const std::int32_t past[3] = {0, 2, 9};  // data buffer has 3 bytes
  std::memcpy(body.data() + 16, past, 12);
  expect_error(read_stream(stream_with_batch(2, h.nodes, h.buffers, body)), "past the");
  const std::int32_t down[3] = {0, 2, 1};
  std::memcpy(body.data() + 16, down, 12);
  expect_error(read_stream(stream_with_batch(2, h.nodes, h.buffers, body)), "offsets decrease");
  const std::int32_t neg[3] = {-4, 2, 3};
  std::memcpy(body.data() + 16, neg, 12);
  expect_error(read_stream(stream_with_batch(2, h.nodes, h.buffers, body)), "negative");

  // A validity bitmap that disagrees with null_count.
  body = h.body;
  body[36] = 0x3;  // both rows valid, bitmap in the padding after the data
  auto b = h.buffers;
  b[0] = {36, 1};
  expect_error(read_stream(stream_with_batch(2, {{2, 1}, {2, 0}}, b, body)),
               "null_count is 1 but the validity bitmap has 0 nulls");
}

TEST(ArrowBadInput, UnalignedBufferOffsets) {
  HandBatch h;
  // Move the int64 values to body offset 1: valid Arrow only in lenient mode.
  std::vector<std::uint8_t> body(48, 0);
  std::memcpy(body.data() + 1, h.body.data(), 16);
  std::memcpy(body.data() + 24, h.body.data() + 16, 12);
  std::memcpy(body.data() + 40, h.body.data() + 32, 3);
  std::vector<detail::fbs::Buffer> b = {{0, 0}, {1, 16}, {24, 0}, {24, 12}, {40, 3}};
  auto bytes = stream_with_batch(2, h.nodes, b, body);
  auto lenient = read_stream(bytes);
  ASSERT_TRUE(lenient) << lenient.error().to_string();
  EXPECT_EQ(lenient->batches[0].column(0).int_at(DataType::int64(), 0), 5);
  ReadOptions strict;
  strict.require_aligned = true;
  expect_error(read_stream(bytes, strict), "not 8-byte aligned");
}

TEST(ArrowBadInput, WrongFirstMessageAndGarbageMetadata) {
  HandBatch h;
  auto bytes = h.bytes();
  // Drop the schema: the stream now starts with the record batch.
  detail::MessageReader r(bytes);
  ASSERT_TRUE(r.next());
  std::vector<std::uint8_t> no_schema(bytes.begin() + static_cast<std::ptrdiff_t>(r.position()),
                                      bytes.end());
  expect_error(read_stream(no_schema), "not a Schema");
  // Scribble over the schema flatbuffer.
  auto garbage = bytes;
  for (std::size_t i = 8; i < 40; ++i) garbage[i] = static_cast<std::uint8_t>(i * 37);
  expect_error(read_stream(garbage), "verification");
  expect_error(read_stream({}), "no schema message");
}

TEST(ArrowBadInput, SingleByteCorruptionsNeverCrash) {
  const auto good = valid_stream(1);
  int errors = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0xFF}, std::uint8_t{0x80},
                           static_cast<std::uint8_t>(good[i] + 1)}) {
      auto bad = good;
      bad[i] = v;
      auto t = read_stream(bad);
      if (!t) ++errors;
      auto f = read_ipc(bad);
      (void)f;
    }
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace harrier::arrow

namespace harrier::arrow {
namespace {

// Found by arrow_reader_fuzz in make test: a file footer whose Block vector sits at 4 mod 8.
// The flatbuffers verifier checks the vector's 4-byte alignment only, and reading a Block in
// place was a misaligned 8-byte access (UBSan aborts this test if that comes back). Every
// input must give a table or an error naming the problem.
TEST(ArrowBadInput, FuzzFindingMisalignedFooterBlock) {
  const std::string path =
      std::string(HARRIER_SOURCE_DIR) + "/src/arrow/fuzz_corpus/regression-misaligned-footer-block";
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> file{std::istreambuf_iterator<char>(in), {}};
  ASSERT_EQ(file.size(), 629u);
  for (std::size_t shift = 0; shift < 8; ++shift) {
    // The same bytes at every alignment of the input buffer.
    std::vector<std::uint8_t> buf(shift + file.size());
    std::memcpy(buf.data() + shift, file.data(), file.size());
    auto r = read_file(std::span(buf).subspan(shift));
    if (!r) {
      EXPECT_FALSE(r.error().message().empty());
    }
  }
}

}  // namespace
}  // namespace harrier::arrow
