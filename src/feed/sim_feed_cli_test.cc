// `harrier sim` end to end: runs the built binary and checks that it writes exactly the
// session SimFeed makes, as the canonical CSV the replay feed reads (the in-process round trip
// through the replay feed is in sim_feed_test.cc). A separate binary so that feed_tests does
// not wait for the whole `harrier` link.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "feed/replay_format.h"
#include "feed/sim_feed.h"
#include "feed/test_util.h"
#include "feed/time_spec.h"

namespace harrier::feed {
namespace {

using testing::read_all;
using testing::TempDir;

int run_shell(const std::string& cmd) {
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(HarrierSim, WritesTheSessionTheFeedMakes) {
  TempDir dir;
  const std::string out = dir.path() + "/sim.csv";
  const std::string err = dir.path() + "/err.txt";
  const std::string args =
      " sim --symbols 3 --seconds 5 --rate 4000 --open-burst --seed 11 --skew 0.7"
      " --trade-frac 0.4 --start 2024-03-04T09:30:00-05:00";
  ASSERT_EQ(run_shell(std::string(HARRIER_BINARY) + args + " --out " + out + " 2>" + err), 0);

  SimOptions o;
  o.symbols = 3;
  o.seconds = 5;
  o.rate = 4000;
  o.open_burst = true;
  o.seed = 11;
  o.skew = 0.7;
  o.trade_frac = 0.4;
  o.start_ns = *parse_time_spec("2024-03-04T09:30:00-05:00");
  auto feed = SimFeed::open(o);
  ASSERT_TRUE(feed);
  std::string expected(format_header(Format::kCanonical));
  expected += '\n';
  Tick t;
  for (auto r = (*feed)->next(t); r && *r; r = (*feed)->next(t)) {
    append_canonical_row(expected, t, (*feed)->symbols().name(t.symbol));
  }
  const std::uint64_t n = (*feed)->stats().ticks;
  ASSERT_GT(n, 20'000u);
  EXPECT_EQ(read_all(out), expected);
  EXPECT_NE(read_all(err).find(std::to_string(n) + " events, 3 symbols"), std::string::npos)
      << read_all(err);

  // The replay feed reads every row back.
  ReplayOptions ro;
  ro.sources = {{out, ""}};
  ro.strict = true;
  auto replay = ReplayFeed::open(ro);
  ASSERT_TRUE(replay);
  auto d = testing::drain(**replay);
  ASSERT_FALSE(d.error) << d.error->to_string();
  EXPECT_EQ(d.ticks.size(), n);

  // The same bytes on stdout.
  ASSERT_EQ(
      run_shell(std::string(HARRIER_BINARY) + args + " >" + dir.path() + "/stdout.csv 2>/dev/null"),
      0);
  EXPECT_EQ(read_all(dir.path() + "/stdout.csv"), expected);
}

TEST(HarrierSim, BadOptionsAreUsageErrorsNamingTheFlag) {
  TempDir dir;
  const std::string err = dir.path() + "/err.txt";
  const std::pair<const char*, const char*> cases[] = {
      {"--rate 0", "rate"},
      {"--symbols x", "--symbols"},
      {"--symbols 0", "--symbols"},
      {"--trade-frac 2", "trade_frac"},
      {"--seed -1", "--seed"},
      {"--start 2024-03-04T09:30", "--start"},
      {"--seconds 0 --open-burst", "open_burst"},
      {"--bogus", "bogus"},
  };
  for (const auto& [bad, named] : cases) {
    EXPECT_EQ(run_shell(std::string(HARRIER_BINARY) + " sim " + bad + " >/dev/null 2>" + err), 2)
        << bad;
    EXPECT_NE(read_all(err).find(named), std::string::npos) << bad << ": " << read_all(err);
  }
}

TEST(HarrierSim, UnwritableOutputIsARuntimeFailure) {
  TempDir dir;
  EXPECT_EQ(run_shell(std::string(HARRIER_BINARY) + " sim --seconds 1 --out " + dir.path() +
                      "/no/such/dir/x.csv 2>/dev/null"),
            1);
}

}  // namespace
}  // namespace harrier::feed
