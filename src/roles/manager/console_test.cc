#include "roles/manager/console.h"

#include <gtest/gtest.h>

#include <vector>

namespace harrier::roles::manager {
namespace {

std::vector<std::string> split(std::initializer_list<std::string_view> chunks, std::size_t max) {
  LineSplitter s(max);
  std::vector<std::string> out;
  auto emit = [&](std::string_view l) { out.emplace_back(l); };
  for (std::string_view c : chunks) s.feed(c, emit);
  s.finish(emit);
  return out;
}

TEST(LineSplitter, LinesAcrossChunks) {
  EXPECT_EQ(split({"a", "b\nc", "d\n", "\n", "tail"}, 100),
            (std::vector<std::string>{"ab", "cd", "", "tail"}));
}

TEST(LineSplitter, CrlfAndOverlongLines) {
  EXPECT_EQ(split({"x\r\n"}, 100), (std::vector<std::string>{"x"}));
  EXPECT_EQ(split({"abcdefg\n"}, 3), (std::vector<std::string>{"abc", "def", "g"}));
}

TEST(Console, PrefixIsPaddedAndColouredOnlyWhenAsked) {
  EXPECT_EQ(Console::prefix("ingest", false), "ingest    | ");
  const std::string coloured = Console::prefix("ingest", true);
  EXPECT_EQ(coloured.rfind("\x1b[", 0), 0u);
  EXPECT_NE(coloured.find("ingest    | "), std::string::npos);
  EXPECT_NE(coloured.find("\x1b[0m"), std::string::npos);
}

TEST(Console, TimestampShape) {
  const std::string t = timestamp_now();
  ASSERT_EQ(t.size(), 24u);  // 2026-01-05T14:30:00.123Z
  EXPECT_EQ(t[10], 'T');
  EXPECT_EQ(t[19], '.');
  EXPECT_EQ(t.back(), 'Z');
}

}  // namespace
}  // namespace harrier::roles::manager
