// `harrier bars --format arrow` (issue #3): the Arrow stream of a replay holds exactly the bars
// `harrier bars --csv` prints, read back through the Arrow reader; bad uses are usage errors.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "arrow/bar_codec.h"
#include "market/bar_csv.h"
#include "support/child_process.h"

namespace harrier {
namespace {

using testing::ChildProcess;

const std::string kTrades =
    std::string(HARRIER_SOURCE_DIR) + "/tests/data/equity_us/spy/tick/spy_20131007_trades.csv.zst";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(BarsArrow, StreamHoldsTheSameBarsAsCsv) {
  char tmpl[] = "/tmp/harrier_bars_arrow_XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::vector<std::string> common = {HARRIER_BINARY, "bars",
                                           "--replay",     kTrades,
                                           "--interval",   "1m",
                                           "--from",       "2013-10-07T09:30:00-04:00",
                                           "--to",         "2013-10-07T11:00:00-04:00"};
  auto csv_args = common;
  csv_args.insert(csv_args.end(), {"--csv", "--out", dir + "/bars.csv"});
  auto arrow_args = common;
  arrow_args.insert(arrow_args.end(), {"--format", "arrow", "--out", dir + "/bars.arrows"});
  ChildProcess csv(csv_args, dir + "/csv.log");
  ChildProcess arw(arrow_args, dir + "/arrow.log");
  ASSERT_EQ(csv.wait(60000), 0) << csv.output();
  ASSERT_EQ(arw.wait(60000), 0) << arw.output();

  const std::string bytes = slurp(dir + "/bars.arrows");
  auto span = std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  auto info = arrow::read_bar_metadata(span);
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(info->symbol, "SPY");
  EXPECT_EQ(info->interval, Interval::k1m);
  auto bars = arrow::decode_bars(span);
  ASSERT_TRUE(bars) << bars.error().to_string();
  ASSERT_EQ(bars->size(), 90u);  // 09:30 to 11:00

  std::string from_arrow;
  append_bar_csv_header(from_arrow);
  for (const Bar& b : *bars) append_bar_csv_row(from_arrow, "SPY", Interval::k1m, b);
  EXPECT_EQ(from_arrow, slurp(dir + "/bars.csv"));

  // --window keeps the last N bars, as P1's bars:{sym}:{iv} does.
  auto window_args = arrow_args;
  window_args.back() = dir + "/window.arrows";
  window_args.insert(window_args.end(), {"--window", "30"});
  ChildProcess win(window_args, dir + "/window.log");
  ASSERT_EQ(win.wait(60000), 0) << win.output();
  const std::string wbytes = slurp(dir + "/window.arrows");
  auto wbars = arrow::decode_bars(
      std::span(reinterpret_cast<const std::uint8_t*>(wbytes.data()), wbytes.size()));
  ASSERT_TRUE(wbars);
  ASSERT_EQ(wbars->size(), 30u);
  EXPECT_EQ(wbars->front().ts, (*bars)[60].ts);
}

TEST(BarsArrow, NeedsExactlyOneInterval) {
  ChildProcess p({HARRIER_BINARY, "bars", "--replay", kTrades, "--format", "arrow"},
                 "/tmp/harrier_bars_arrow_usage.log");
  EXPECT_EQ(p.wait(30000), 2);
  EXPECT_NE(p.output().find("--interval"), std::string::npos) << p.output();
}

}  // namespace
}  // namespace harrier
