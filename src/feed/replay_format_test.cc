#include "feed/replay_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "feed/lean_conditions.h"

namespace harrier::feed {
namespace {

std::optional<Reject> decode(Format f, std::string_view line, DecodedRow& row) {
  return decode_line(f, line, row);
}

RejectReason reason_of(Format f, std::string_view line) {
  DecodedRow row;
  auto r = decode(f, line, row);
  EXPECT_TRUE(r.has_value()) << line;
  return r ? r->reason : RejectReason::kMalformed;
}

TEST(ReplayFormat, DetectsEachHeader) {
  for (Format f : {Format::kCanonical, Format::kLeanTrades, Format::kLeanQuotes}) {
    auto got = detect_format(format_header(f));
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, f);
    EXPECT_EQ(detect_format("\xEF\xBB\xBF" + std::string(format_header(f)) + "\r"), f);
  }
  EXPECT_FALSE(detect_format("ts_ns,price,size"));
  EXPECT_FALSE(detect_format(""));
  EXPECT_FALSE(detect_format("1381152600007000000,167.41,500,Q,2000,0"));
}

TEST(ReplayFormat, CanonicalTradeAndQuote) {
  DecodedRow row;
  ASSERT_FALSE(
      decode(Format::kCanonical, "1709562600001000000,SPY,trade,512.01,100,,,,,ARCX", row));
  EXPECT_EQ(row.symbol, "SPY");
  EXPECT_EQ(row.tick.kind, TickKind::kTrade);
  EXPECT_EQ(row.tick.ts_ns, 1709562600001000000);
  EXPECT_EQ(row.tick.price, 512.01);
  EXPECT_EQ(row.tick.size, 100);
  EXPECT_EQ(row.tick.venue, 'P');
  EXPECT_EQ(row.tick.flags, 0u);

  ASSERT_FALSE(decode(Format::kCanonical,
                      "1709562600000000000,QQQ,quote,,,445.00,100,445.02,500,BATS", row));
  EXPECT_EQ(row.symbol, "QQQ");
  EXPECT_EQ(row.tick.kind, TickKind::kQuote);
  EXPECT_EQ(row.tick.bid, 445.00);
  EXPECT_EQ(row.tick.bid_size, 100);
  EXPECT_EQ(row.tick.ask, 445.02);
  EXPECT_EQ(row.tick.ask_size, 500);
  EXPECT_EQ(row.tick.venue, 'Z');
}

TEST(ReplayFormat, LeanTradeMapsConditionsAndSuspicious) {
  DecodedRow row;
  ASSERT_FALSE(decode(Format::kLeanTrades, "1381152600007000000,167.41,500,Q,80002000,1", row));
  EXPECT_TRUE(row.symbol.empty());
  EXPECT_EQ(row.tick.price, 167.41);
  EXPECT_EQ(row.tick.size, 500);
  EXPECT_EQ(row.tick.venue, 'Q');
  EXPECT_EQ(row.tick.flags, kTradeFlagOddLot | kTradeFlagExtendedHours | kTradeFlagSuspicious);
}

TEST(ReplayFormat, LeanQuoteWithOneSideGivesNaNForTheOther) {
  DecodedRow row;
  ASSERT_FALSE(decode(Format::kLeanQuotes, "1381132800054000000,,0,183.63,100,Q,1,0", row));
  EXPECT_EQ(row.tick.kind, TickKind::kQuote);
  EXPECT_TRUE(std::isnan(row.tick.bid));
  EXPECT_EQ(row.tick.bid_size, 0);
  EXPECT_EQ(row.tick.ask, 183.63);
  EXPECT_EQ(row.tick.ask_size, 100);
  ASSERT_FALSE(decode(Format::kLeanQuotes, "1381132800241000000,180.01,300,,0,P,1,0", row));
  EXPECT_EQ(row.tick.bid, 180.01);
  EXPECT_TRUE(std::isnan(row.tick.ask));
}

TEST(ReplayFormat, EachBadInputClassHasItsReason) {
  const Format c = Format::kCanonical;
  EXPECT_EQ(reason_of(c, "1,SPY,trade,1.0,1,,,,"), RejectReason::kMalformed);      // 9 fields
  EXPECT_EQ(reason_of(c, "1,SPY,trade,1.0,1,,,,,X,Y"), RejectReason::kMalformed);  // 11
  EXPECT_EQ(reason_of(c, "x,SPY,trade,1.0,1,,,,,X"), RejectReason::kMalformed);    // ts
  EXPECT_EQ(reason_of(c, "-1,SPY,trade,1.0,1,,,,,X"), RejectReason::kMalformed);   // ts < 0
  EXPECT_EQ(reason_of(c, "1,SPY,trade,1.0x,1,,,,,X"), RejectReason::kMalformed);   // price
  EXPECT_EQ(reason_of(c, "1,SPY,trade,1.0,1.5,,,,,X"), RejectReason::kMalformed);  // size
  EXPECT_EQ(reason_of(c, "1,SPY,bust,1.0,1,,,,,X"), RejectReason::kMalformed);     // event
  EXPECT_EQ(reason_of(c, "1,SPY,quote,,,,,,,X"), RejectReason::kMalformed);        // no side
  EXPECT_EQ(reason_of(c, "1,SPY,quote,,,,5,1.0,1,X"), RejectReason::kMalformed);   // size only
  EXPECT_EQ(reason_of(c, "1,SPY,quote,,,1,3000000000,2,1,X"), RejectReason::kMalformed);
  for (const char* px : {"nan", "NaN", "inf", "-inf", "0", "-0", "-3.5", "1e400"}) {
    std::string line = std::string("1,SPY,trade,") + px + ",1,,,,,X";
    EXPECT_EQ(reason_of(c, line),
              px == std::string("1e400") ? RejectReason::kMalformed : RejectReason::kBadPrice)
        << line;
  }
  EXPECT_EQ(reason_of(c, "1,SPY,quote,,,nan,1,2,1,X"), RejectReason::kBadPrice);
  EXPECT_EQ(reason_of(c, "1,SPY,trade,1.0,-1,,,,,X"), RejectReason::kNegativeSize);
  EXPECT_EQ(reason_of(c, "1,SPY,quote,,,1,-1,2,1,X"), RejectReason::kNegativeSize);
  EXPECT_EQ(reason_of(c, "1,SPY,quote,,,2.01,1,2,1,X"), RejectReason::kCrossedQuote);

  const Format t = Format::kLeanTrades;
  EXPECT_EQ(reason_of(t, "1,1.0,1,QQ,0,0"), RejectReason::kMalformed);         // exchange
  EXPECT_EQ(reason_of(t, "1,1.0,1,Q,zz,0"), RejectReason::kMalformed);         // condition
  EXPECT_EQ(reason_of(t, "1,1.0,1,Q,,0"), RejectReason::kMalformed);           // empty condition
  EXPECT_EQ(reason_of(t, "1,1.0,1,Q,0,2"), RejectReason::kMalformed);          // suspicious
  EXPECT_EQ(reason_of(t, "1,1.0,1,Q,100000000,0"), RejectReason::kMalformed);  // > 32 bits
  EXPECT_EQ(reason_of(Format::kLeanQuotes, "1,,0,,0,Q,1,0"), RejectReason::kMalformed);
}

TEST(ReplayFormat, LockedQuoteIsNotCrossed) {
  DecodedRow row;
  EXPECT_FALSE(decode(Format::kCanonical, "1,SPY,quote,,,2,1,2,1,X", row));
}

TEST(ReplayFormat, RejectNamesTheOffendingField) {
  DecodedRow row;
  auto r = decode(Format::kCanonical, "1,SPY,trade,12.3.4,1,,,,,X", row);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->field, "12.3.4");
}

TEST(ReplayFormat, ValidateTickGuardsEveryTick) {
  EXPECT_FALSE(validate_tick(Tick::trade(0, 1, 10.0, 0)));
  EXPECT_TRUE(validate_tick(Tick::trade(0, 1, kNaN, 1)));
  EXPECT_TRUE(validate_tick(Tick::trade(0, 1, -1.0, 1)));
  EXPECT_TRUE(validate_tick(Tick::trade(0, 1, 1.0, -1)));
  EXPECT_FALSE(validate_tick(Tick::quote(0, 1, 1.0, 1, kNaN, 0)));
  EXPECT_TRUE(validate_tick(Tick::quote(0, 1, kNaN, 5, 1.0, 1)));  // size on absent side
  EXPECT_TRUE(validate_tick(Tick::quote(0, 1, 2.0, 1, 1.0, 1)));   // crossed
}

TEST(LeanConditions, MappingFollowsTheDocumentedTable) {
  EXPECT_EQ(lean_trade_flags(0, false), kTradeFlagNone);
  EXPECT_EQ(lean_trade_flags(0x1, false), kTradeFlagNone);         // regular
  EXPECT_EQ(lean_trade_flags(0x20000000, false), kTradeFlagNone);  // Rule 611 exempt
  EXPECT_EQ(lean_trade_flags(0x20000020, false), kTradeFlagIntermarketSweep);
  EXPECT_EQ(lean_trade_flags(0x8, false), kTradeFlagSeller);
  EXPECT_EQ(lean_trade_flags(0x80000000u, false), kTradeFlagOddLot);
  EXPECT_EQ(lean_trade_flags(0x2000, false), kTradeFlagExtendedHours);
  EXPECT_EQ(lean_trade_flags(0x400, false), kTradeFlagExtendedHours);  // Form T
  EXPECT_EQ(lean_trade_flags(0x4000, false), kTradeFlagExtendedHours | kTradeFlagOutOfSequence);
  EXPECT_EQ(lean_trade_flags(0x800, false), kTradeFlagOutOfSequence);      // sold last
  EXPECT_EQ(lean_trade_flags(0x2000000, false), kTradeFlagOutOfSequence);  // prior ref price
  EXPECT_EQ(lean_trade_flags(0x100000, false), kTradeFlagAveragePrice);
  EXPECT_EQ(lean_trade_flags(0x200, false), kTradeFlagAveragePrice);  // derivatively priced
  for (std::uint32_t b : {0x40u, 0x80u, 0x100u, 0x1000000u, 0x4000000u}) {
    EXPECT_EQ(lean_trade_flags(b, false), kTradeFlagOpenClose) << std::hex << b;
  }
  EXPECT_EQ(lean_trade_flags(0, true), kTradeFlagSuspicious);
}

TEST(ReplayFormat, VenueCodes) {
  EXPECT_EQ(venue_code("XNAS"), 'Q');
  EXPECT_EQ(venue_code("XNYS"), 'N');
  EXPECT_EQ(venue_code("ARCX"), 'P');
  EXPECT_EQ(venue_code("D"), 'D');
  EXPECT_EQ(venue_code(""), 0);
  EXPECT_EQ(venue_code("NOPE"), 0);
}

}  // namespace
}  // namespace harrier::feed
