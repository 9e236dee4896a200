// Options shared by the commands that run ticks through the bar engine (`harrier bars`,
// `harrier replay`): which files to replay and how bars are sealed. Registers its flags on an
// ArgParser and turns them into ReplayOptions and SealerOptions, with errors naming the flag.
#pragma once

#include <string>
#include <vector>

#include "cli/args.h"
#include "core/result.h"
#include "feed/replay_feed.h"
#include "market/bar_sealer.h"

namespace harrier::cli {

struct BarRunFlags {
  std::vector<std::string> replay;   // FILE or SYMBOL=FILE, repeatable
  std::vector<std::string> symbols;  // filter
  std::string from, to;
  bool strict = false;
  std::string tolerance_ms = "1000";
  std::string grace_ms = "250";
  std::string session_tz = "America/New_York";
  std::string session_start = "09:30";
  std::string price_exclude = TradeRule::format_flags(TradeRule{}.price_exclude);
  std::string price_exclude_regular = TradeRule::format_flags(TradeRule{}.price_exclude_regular);
  std::string volume_exclude = TradeRule::format_flags(TradeRule{}.volume_exclude);

  void register_on(ArgParser& p);
  Result<feed::ReplayOptions> replay_options() const;
  Result<SealerOptions> sealer_options() const;
};

}  // namespace harrier::cli
