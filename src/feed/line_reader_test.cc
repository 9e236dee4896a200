#include "feed/line_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace harrier::feed {
namespace {

struct Got {
  std::vector<std::string> lines;
  std::vector<std::uint64_t> numbers;
  std::vector<bool> too_long;
};

Got read_lines(std::string_view bytes, std::size_t buffer) {
  LineReader reader(memory_source(bytes), buffer);
  Got g;
  Line line;
  while (true) {
    auto r = reader.next(line);
    EXPECT_TRUE(r);
    if (!r || !*r) break;
    g.lines.emplace_back(line.text);
    g.numbers.push_back(line.number);
    g.too_long.push_back(line.too_long);
  }
  return g;
}

TEST(LineReader, SplitsLfAndCrlfAndKeepsAnUnterminatedLastLine) {
  for (std::size_t buffer : {std::size_t{5}, std::size_t{7}, std::size_t{1024}}) {
    Got g = read_lines("ab\r\ncd\n\nlast", buffer);
    ASSERT_EQ(g.lines.size(), 4u) << buffer;
    EXPECT_EQ(g.lines[0], "ab");
    EXPECT_EQ(g.lines[1], "cd");
    EXPECT_EQ(g.lines[2], "");
    EXPECT_EQ(g.lines[3], "last");
    EXPECT_EQ(g.numbers, (std::vector<std::uint64_t>{1, 2, 3, 4}));
  }
}

TEST(LineReader, EmptyInputHasNoLines) { EXPECT_TRUE(read_lines("", 16).lines.empty()); }

TEST(LineReader, OversizedLineIsReportedOnceAndReadingGoesOn) {
  std::string big(100, 'x');
  Got g = read_lines("ok\n" + big + "\nafter\n" + big, 16);
  ASSERT_EQ(g.lines.size(), 4u);
  EXPECT_EQ(g.lines[0], "ok");
  EXPECT_TRUE(g.too_long[1]);
  EXPECT_EQ(g.lines[1], "");
  EXPECT_EQ(g.lines[2], "after");
  EXPECT_FALSE(g.too_long[2]);
  EXPECT_TRUE(g.too_long[3]);  // unterminated and oversized at the end of input
  EXPECT_EQ(g.numbers[3], 4u);
}

TEST(LineReader, LineFillingTheBufferExactlyFits) {
  // A buffer of 8 holds a 7-byte line plus its newline.
  Got g = read_lines("1234567\n12345678\n", 8);
  ASSERT_EQ(g.lines.size(), 2u);
  EXPECT_EQ(g.lines[0], "1234567");
  EXPECT_FALSE(g.too_long[0]);
  EXPECT_TRUE(g.too_long[1]);
}

}  // namespace
}  // namespace harrier::feed
