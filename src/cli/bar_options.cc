#include "cli/bar_options.h"

#include "core/text.h"
#include "feed/time_spec.h"

namespace harrier::cli {

void BarRunFlags::register_on(ArgParser& p) {
  p.add_list("replay", "[SYM=]FILE",
             "tick file: canonical CSV, LEAN trades or LEAN quotes, plain or .zst; several are "
             "merged by time; SYM= names the symbol of a LEAN file (default: from its name)",
             &replay);
  p.add_list("symbol", "SYM", "only these symbols (default: every symbol in the files)", &symbols);
  p.add_string("from", "TIME",
               "first tick time, inclusive: ns since the epoch or ISO-8601 "
               "(2013-10-07T09:30:00-04:00)",
               &from);
  p.add_string("to", "TIME", "end time, exclusive (same forms as --from)", &to);
  p.add_flag("strict", "stop at the first bad input line instead of counting and skipping it",
             &strict);
  p.add_string("tolerance-ms", "MS",
               "how far a file may step back in time before a line is rejected (default 1000)",
               &tolerance_ms);
  p.add_string("grace-ms", "MS", "wall-clock seal grace after a bar's end (default 250)",
               &grace_ms);
  p.add_string("session-tz", "ZONE", "session time zone (default America/New_York)", &session_tz);
  p.add_string("session-start", "HH:MM",
               "local session start where session_vwap and cum_delta reset (default 09:30)",
               &session_start);
  p.add_string("price-exclude", "FLAGS",
               "trade flags whose prints never set bar prices: a comma list of suspicious, "
               "odd_lot, extended_hours, out_of_sequence, average_price, open_close, no_last, "
               "intermarket_sweep, seller, or none (default " +
                   price_exclude + "; see docs/lean-bar-comparison.md)",
               &price_exclude);
  p.add_string("price-exclude-regular", "FLAGS",
               "trade flags whose prints set prices only when also extended_hours (default " +
                   price_exclude_regular + ")",
               &price_exclude_regular);
  p.add_string("volume-exclude", "FLAGS",
               "trade flags whose prints do not count in volume (default " + volume_exclude + ")",
               &volume_exclude);
}

namespace {
Result<std::int64_t> nonnegative_ms(std::string_view flag, const std::string& text) {
  auto v = text::parse_int(text);
  if (!v || *v < 0) {
    return invalid_input("--" + std::string(flag) + ": '" + text +
                         "' is not a whole number of milliseconds >= 0");
  }
  return *v;
}
}  // namespace

Result<feed::ReplayOptions> BarRunFlags::replay_options() const {
  feed::ReplayOptions o;
  if (replay.empty()) return invalid_input("--replay: give at least one tick file");
  for (const std::string& r : replay) {
    o.sources.push_back(feed::parse_replay_source(r));
  }
  o.symbols = symbols;
  if (!from.empty()) {
    auto t = feed::parse_time_spec(from);
    if (!t) return std::move(t).error().with_context("--from");
    o.from_ns = *t;
  }
  if (!to.empty()) {
    auto t = feed::parse_time_spec(to);
    if (!t) return std::move(t).error().with_context("--to");
    o.to_ns = *t;
  }
  o.strict = strict;
  HARRIER_ASSIGN_OR_RETURN(std::int64_t tol, nonnegative_ms("tolerance-ms", tolerance_ms));
  o.backwards_tolerance_ns = tol * kNsPerMs;
  return o;
}

Result<SealerOptions> BarRunFlags::sealer_options() const {
  SealerOptions o;
  HARRIER_ASSIGN_OR_RETURN(std::int64_t grace, nonnegative_ms("grace-ms", grace_ms));
  o.grace_ns = grace * kNsPerMs;
  auto cal = SessionCalendar::make(session_tz, session_start);
  if (!cal) return std::move(cal).error().with_context("--session-tz/--session-start");
  o.session = *cal;
  auto pe = TradeRule::parse_flags(price_exclude);
  if (!pe) return std::move(pe).error().with_context("--price-exclude");
  auto pr = TradeRule::parse_flags(price_exclude_regular);
  if (!pr) return std::move(pr).error().with_context("--price-exclude-regular");
  auto ve = TradeRule::parse_flags(volume_exclude);
  if (!ve) return std::move(ve).error().with_context("--volume-exclude");
  o.rule.price_exclude = *pe;
  o.rule.price_exclude_regular = *pr;
  o.rule.volume_exclude = *ve;
  return o;
}

}  // namespace harrier::cli
