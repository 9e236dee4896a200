#include "feed/byte_source.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include "feed/test_util.h"

namespace harrier::feed {
namespace {

using testing::TempDir;

// Reads a source to its end (or error) with a deliberately odd chunk size.
Result<std::string> read_source(ByteSource& src, std::size_t chunk = 777) {
  std::string out;
  std::string buf(chunk, '\0');
  while (true) {
    HARRIER_ASSIGN_OR_RETURN(std::size_t n, src.read(buf.data(), buf.size()));
    if (n == 0) return out;
    out.append(buf.data(), n);
  }
}

std::string compress(const std::string& plain, int level = 3) {
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  std::size_t n = ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), level);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

TEST(ByteSource, PlainFileReadsBackItsBytes) {
  TempDir dir;
  std::string bytes = "a,b\n1,2\n";
  auto src = open_file_source(dir.write("plain.csv", bytes));
  ASSERT_TRUE(src) << src.error().to_string();
  auto got = read_source(**src, 3);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, bytes);
}

TEST(ByteSource, MissingFileIsNotFoundNamingThePath) {
  auto src = open_file_source("/nonexistent/dir/x.csv");
  ASSERT_FALSE(src);
  EXPECT_EQ(src.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(src.error().message().find("/nonexistent/dir/x.csv"), std::string::npos);
}

TEST(ByteSource, ZstdFileIsDetectedByMagicAndStreamed) {
  // Larger than several zstd blocks so the stream really runs in pieces.
  std::string plain;
  for (int i = 0; i < 200000; ++i) plain += std::to_string(i * 7919) + ",x\n";
  TempDir dir;
  auto src = open_file_source(dir.write("no_zst_suffix.bin", compress(plain)));
  ASSERT_TRUE(src) << src.error().to_string();
  auto got = read_source(**src);
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_EQ(got->size(), plain.size());
  EXPECT_TRUE(*got == plain);
}

TEST(ByteSource, ConcatenatedZstdFramesAreOneStream) {
  std::string framed = compress("first\n") + compress("second\n");
  auto src = zstd_source(memory_source(framed), "mem");
  auto got = read_source(*src, 4);
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_EQ(*got, "first\nsecond\n");
}

TEST(ByteSource, ZstdTruncatedMidFrameIsAnErrorNotACrash) {
  std::string packed = testing::read_all(testing::kSpyTrades);
  ASSERT_GT(packed.size(), 1000u);
  for (std::size_t keep : {std::size_t{4}, std::size_t{9}, packed.size() / 2, packed.size() - 1}) {
    TempDir dir;
    auto src = open_file_source(dir.write("cut.csv.zst", packed.substr(0, keep)));
    ASSERT_TRUE(src);
    auto got = read_source(**src, 64 * 1024);
    ASSERT_FALSE(got) << "kept " << keep << " bytes";
    EXPECT_EQ(got.error().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(got.error().message().find("truncated"), std::string::npos) << got.error().message();
    EXPECT_NE(got.error().message().find("cut.csv.zst"), std::string::npos);
  }
}

TEST(ByteSource, ZstdGarbageAfterMagicIsAnError) {
  std::string bad = "\x28\xB5\x2F\xFD";
  bad += std::string(100, '\x7f');
  auto src = zstd_source(memory_source(bad), "garbage.zst");
  auto got = read_source(*src);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(got.error().message().find("garbage.zst"), std::string::npos);
}

TEST(ByteSource, ZstdMagicDetection) {
  EXPECT_TRUE(has_zstd_magic(std::string_view("\x28\xB5\x2F\xFD", 4)));
  EXPECT_FALSE(has_zstd_magic("ts_n"));
  EXPECT_FALSE(has_zstd_magic(std::string_view("\x28\xB5\x2F", 3)));
}

}  // namespace
}  // namespace harrier::feed
