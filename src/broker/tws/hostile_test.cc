// Hostile input under ASan/UBSan: truncated, garbled and oversized payloads must come back as
// errors naming the message and field, never a crash or an out-of-bounds read. Every golden
// frame is cut at every byte and has every byte flipped.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "broker/tws/decoder.h"
#include "broker/tws/framing.h"
#include "broker/tws/test_util.h"

namespace harrier::tws {
namespace {

using testing::payload;

const std::vector<std::string>& golden() {
  static const std::vector<std::string> frames = {
      "99|9001|1|1678740829|3895.25|7|2|NASDAQ|Regular|",
      "99|9001|3|1678745793|3895.50|3896.00|9|11|3|",
      "99|9001|4|1678740829|3895.375|",
      "3|1|Submitted|0|1|0|2126726143|0|0|100||0|",
      "4|2|-1|2104|Market data farm connection is OK:usfarm||",
      "59|1|0001f4e5.58bbad52.01.01|2.25|USD|0.0|0.0||",
      "61|3|DU1234567|76792991|TSLA|STK||0.0|||NASDAQ|USD|TSLA|NMS|500|196.77|",
      "75|9000|NYSE|789456|GOOG|100|3|2023-06|2023-09|2023-12|3|100.5|110.0|120.5|",
      "11|-1|13|76792991|TSLA|STK||0.0|||ISLAND|USD|TSLA|NMS|00025b46.63f8f39c.01.01|"
      "20230224  12:04:56|DU1234567|ISLAND|BOT|100|196.52|1376327563|100|0|100|196.52|||||2||",
      "13|1|9008|2|ARCA|1|0|189.52|200|1|",
      "80|2|ISLAND|STK|NASDAQ|Deep2|1|ARCA|STK|NYSE|Deep|2|",
      "21|9004|13|1|0.2|0.55|6.1|0|0.03|0.12|-0.05|501.2|",
  };
  return frames;
}

TEST(TwsHostile, EveryTruncationIsAnErrorNamingTheField) {
  for (const auto& g : golden()) {
    std::string p = payload(g);
    Decoder d(193);
    ASSERT_TRUE(d.decode(p)) << g;
    for (std::size_t n = 0; n < p.size(); ++n) {
      // Copy into an exact-size heap buffer so ASan sees any read past the end.
      std::vector<char> cut(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n));
      auto m = d.decode(std::string_view(cut.data(), cut.size()));
      ASSERT_FALSE(m) << g << " cut at " << n;
      EXPECT_EQ(m.error().code(), ErrorCode::kProtocol);
      EXPECT_NE(m.error().message().find("field '"), std::string::npos) << m.error().message();
    }
  }
}

TEST(TwsHostile, GarbledNumbersNameMessageAndField) {
  Decoder d(193);
  auto m = d.decode(payload("99|9001|1|1678740829|38x5.25|7|2|NASDAQ|Regular|"));
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(),
            "tws msg 99 (tickByTick): field 'price': not a finite number: \"38x5.25\"");
  m = d.decode(payload("99|9001|9|1678740829|1|"));
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("unknown tick-by-tick type 9"), std::string::npos);
  m = d.decode(payload("13|1|9008|2|ARCA|7|0|189.52|200|1|"));
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("field 'operation'"), std::string::npos);
  m = d.decode(payload("99|9001|1|1678740829|nan|7|2|NASDAQ|Regular|"));
  EXPECT_FALSE(m);
  m = d.decode(payload("99|9001|1|1678740829|inf|7|2|NASDAQ|Regular|"));
  EXPECT_FALSE(m);
  m = d.decode(payload("99|99999999999|1|1678740829|1|7|2|NASDAQ|Regular|"));
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("out of 32-bit range"), std::string::npos);
  m = d.decode(payload("abc|1|"));
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("msgId"), std::string::npos);
  EXPECT_FALSE(d.decode(payload("-4|1|")));
  EXPECT_FALSE(d.decode(""));
  EXPECT_EQ(d.stats().rejected, 9u);
}

TEST(TwsHostile, LyingCountsNeverAllocate) {
  Decoder d(193);
  auto m = d.decode(payload("75|9000|NYSE|789456|GOOG|100|2000000000|2023-06|"));
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("field 'expCount'"), std::string::npos);
  EXPECT_FALSE(d.decode(payload("80|-1|")));
  EXPECT_FALSE(d.decode(payload("80|99999999999999999999|")));
}

TEST(TwsHostile, EveryByteFlipDecodesOrFailsCleanly) {
  std::uint64_t ok_count = 0;
  std::uint64_t err_count = 0;
  for (const auto& g : golden()) {
    std::string p = payload(g);
    for (std::size_t i = 0; i < p.size(); ++i) {
      for (unsigned char x : {0x00, 0x01, 0x10, 0x2D, 0x39, 0x7F, 0xFF}) {
        std::vector<char> bad(p.begin(), p.end());
        bad[i] = static_cast<char>(x);
        Decoder d(193);
        auto m = d.decode(std::string_view(bad.data(), bad.size()));
        (m ? ok_count : err_count)++;
        EXPECT_EQ(d.stats().decoded + d.stats().rejected, 1u);
      }
    }
  }
  EXPECT_GT(err_count, 0u);
  EXPECT_GT(ok_count, 0u);
}

TEST(TwsHostile, OversizedAndGarbageStreamsThroughTheSplitter) {
  // Random-looking bytes: the splitter either waits, delivers frames the decoder rejects or
  // accepts, or fails for good on a lying length; it never reads outside its buffer.
  std::uint32_t x = 12345;
  for (int run = 0; run < 200; ++run) {
    FrameSplitter s(4096);
    Decoder d(193);
    for (int chunk = 0; chunk < 20 && !s.failed(); ++chunk) {
      std::string bytes;
      for (int i = 0; i < 37; ++i) {
        x = x * 1664525u + 1013904223u;
        bytes.push_back(static_cast<char>(x >> 24));
      }
      if (chunk % 3 == 0) append_frame(bytes, payload("99|1|4|1|1.5|"));
      s.feed(bytes);
      while (true) {
        auto f = s.next();
        if (!f || !f->has_value()) break;
        (void)d.decode(**f);
      }
      // Never more than one partial frame (<= max + 4 bytes) plus the latest chunk is held.
      EXPECT_LE(s.buffered(), 4096u + 4u + bytes.size());
    }
  }
}

}  // namespace
}  // namespace harrier::tws
