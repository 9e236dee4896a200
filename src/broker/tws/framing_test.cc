// Frame splitter: arbitrary partial reads in, whole payloads out; lying lengths are errors.
#include "broker/tws/framing.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker/tws/test_util.h"

namespace harrier::tws {
namespace {

using testing::frame;
using testing::payload;

std::vector<std::string> drain(FrameSplitter& s) {
  std::vector<std::string> got;
  while (true) {
    auto r = s.next();
    EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
    if (!r || !r->has_value()) break;
    got.emplace_back(**r);
  }
  return got;
}

TEST(TwsFraming, SplitsFramesAcrossEveryPossibleReadSize) {
  const std::vector<std::string> want = {
      payload("99|9001|1|1678740829|3895.25|7|2|NASDAQ|Regular|"),
      payload("99|9001|3|1678745793|3895.50|3896.00|9|11|3|"), payload("9|1|1000|"),
      payload("15|1|DU123456|")};
  std::string stream;
  for (const auto& p : want) append_frame(stream, p);
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    FrameSplitter s;
    std::vector<std::string> got;
    for (std::size_t i = 0; i < stream.size(); i += chunk) {
      s.feed(std::string_view(stream).substr(i, chunk));
      for (auto& p : drain(s)) got.push_back(std::move(p));
    }
    EXPECT_EQ(got, want) << "chunk " << chunk;
    EXPECT_EQ(s.buffered(), 0u);
    EXPECT_EQ(s.frames(), want.size());
  }
}

TEST(TwsFraming, WaitsForTheRestOfAFrame) {
  FrameSplitter s;
  std::string f = frame("49|1|1700000000|");
  s.feed(std::string_view(f).substr(0, 3));
  EXPECT_FALSE(s.next()->has_value());
  s.feed(std::string_view(f).substr(3, 5));
  EXPECT_FALSE(s.next()->has_value());
  s.feed(std::string_view(f).substr(8));
  auto r = s.next();
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ(**r, payload("49|1|1700000000|"));
}

TEST(TwsFraming, OversizedLengthIsAStickyError) {
  FrameSplitter s(1024);
  std::string bad("\x00\x00\x04\x01", 4);  // 1025 > 1024
  s.feed(bad);
  auto r = s.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(r.error().message().find("1025"), std::string::npos) << r.error().message();
  // The stream cannot resynchronise: later good frames are not delivered.
  s.feed(frame("49|1|1|"));
  EXPECT_FALSE(s.next());
  EXPECT_TRUE(s.failed());
}

TEST(TwsFraming, ZeroLengthIsAnError) {
  FrameSplitter s;
  s.feed(std::string("\0\0\0\0", 4));
  EXPECT_FALSE(s.next());
}

TEST(TwsFraming, DefaultMaximumIs16MiB) {
  FrameSplitter s;
  s.feed(std::string("\x01\x00\x00\x00", 4));  // 16777216 = 0xFFFFFF + 1
  EXPECT_FALSE(s.next());
  FrameSplitter ok_size;
  ok_size.feed(std::string("\x00\xFF\xFF\xFF", 4));  // exactly the maximum: wait for bytes
  auto r = ok_size.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
}

}  // namespace
}  // namespace harrier::tws
