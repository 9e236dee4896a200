#include "config/config.h"

#include <toml++/toml.h>
#include <cmath>
#include <functional>
#include <set>

#include "core/text.h"

namespace harrier {
namespace {

enum class Type { kString, kInt, kDouble, kBool, kStringList };

struct KeyDef {
  std::string_view name;  // "section.key"
  Type type;
  std::string_view help;
  std::function<void*(Config&)> field;
  std::vector<std::string_view> allowed = {};  // strings: allowed values (empty: any)
  double min = -1e300, max = 1e300;            // numbers: inclusive range
};

template <typename F>
std::function<void*(Config&)> at(F f) {
  return [f](Config& c) -> void* { return f(c); };
}
#define HARRIER_FIELD(expr) at([](Config& c) { return static_cast<void*>(&c.expr); })

const std::vector<KeyDef>& keys() {
  static const std::vector<KeyDef> k = {
      {"redis.url", Type::kString,
       "tcp://HOST:PORT or unix:/path/to/sock; empty: `harrier up` starts a private "
       "redis-server, and roles started alone need one",
       HARRIER_FIELD(redis.url)},
      {"redis.user", Type::kString, "ACL user for AUTH (empty: the default user)",
       HARRIER_FIELD(redis.user)},
      {"redis.password_env", Type::kString, "environment variable holding the Redis password",
       HARRIER_FIELD(redis.password_env)},
      {"redis.password_file", Type::kString, "file whose first line is the Redis password",
       HARRIER_FIELD(redis.password_file)},
      {"redis.connect_timeout_ms",
       Type::kInt,
       "connect timeout",
       HARRIER_FIELD(redis.connect_timeout_ms),
       {},
       1,
       600000},
      {"redis.command_timeout_ms",
       Type::kInt,
       "command timeout",
       HARRIER_FIELD(redis.command_timeout_ms),
       {},
       1,
       600000},

      {"feed.kind",
       Type::kString,
       "where ticks come from: replay (recorded files), sim, or ib (TWS / IB Gateway)",
       HARRIER_FIELD(feed.kind),
       {"replay", "sim", "ib"}},
      {"feed.path", Type::kStringList,
       "replay files ([SYM=]FILE, canonical CSV or LEAN CSV, plain or .zst), merged by time",
       HARRIER_FIELD(feed.path)},
      {"feed.speed", Type::kString, "replay pace: max, or a multiple of recorded speed",
       HARRIER_FIELD(feed.speed)},
      {"feed.symbols", Type::kStringList, "only these symbols (empty: all in the feed)",
       HARRIER_FIELD(feed.symbols)},
      {"feed.from", Type::kString,
       "replay: first tick time, inclusive (ns since the epoch or ISO-8601 with a zone)",
       HARRIER_FIELD(feed.from)},
      {"feed.to", Type::kString, "replay: end time, exclusive (same forms as feed.from)",
       HARRIER_FIELD(feed.to)},
      {"feed.strict", Type::kBool, "stop at the first bad input line instead of skipping it",
       HARRIER_FIELD(feed.strict)},
      {"feed.tolerance_ms",
       Type::kInt,
       "how far a replay file may step back in time",
       HARRIER_FIELD(feed.tolerance_ms),
       {},
       0,
       3600000},
      {"feed.queue_capacity",
       Type::kInt,
       "ticks the feed-to-bar queue holds before dropping",
       HARRIER_FIELD(feed.queue_capacity),
       {},
       16,
       1 << 26},

      {"sim.symbols",
       Type::kInt,
       "number of simulated symbols (SPY, QQQ, SYM003, ...)",
       HARRIER_FIELD(sim.symbols),
       {},
       1,
       10000},
      {"sim.rate",
       Type::kDouble,
       "mean events per second across all symbols",
       HARRIER_FIELD(sim.rate),
       {},
       0.001,
       1e8},
      {"sim.seed",
       Type::kInt,
       "random seed (same seed, same market)",
       HARRIER_FIELD(sim.seed),
       {},
       0,
       9.0e18},
      {"sim.open_burst", Type::kBool,
       "first 10% of the session starts at 5x the rate, falling to 1x",
       HARRIER_FIELD(sim.open_burst)},
      {"sim.seconds",
       Type::kDouble,
       "session length in seconds of market time (0: endless; the open burst needs a length)",
       HARRIER_FIELD(sim.seconds),
       {},
       0,
       1e9},
      {"sim.trade_frac",
       Type::kDouble,
       "share of events that are trades",
       HARRIER_FIELD(sim.trade_frac),
       {},
       0,
       1},
      {"sim.start", Type::kString, "time of the first event: now, or ISO-8601 / ns",
       HARRIER_FIELD(sim.start)},

      {"sim.skew",
       Type::kDouble,
       "symbol i is picked with weight 1/(i+1)^skew (0: equal)",
       HARRIER_FIELD(sim.skew),
       {},
       0,
       100},
      {"sim.speed", Type::kString,
       "pace of the simulator: 1 = real time, a multiple, or max (as fast as possible)",
       HARRIER_FIELD(sim.speed)},
      {"bars.window",
       Type::kInt,
       "bars kept per interval in bars:{sym}:{iv}",
       HARRIER_FIELD(bars.window),
       {},
       1,
       100000},
      {"bars.grace_ms",
       Type::kInt,
       "wall-clock seal grace after a bar's end",
       HARRIER_FIELD(bars.grace_ms),
       {},
       0,
       600000},
      {"bars.session_tz", Type::kString, "session time zone", HARRIER_FIELD(bars.session_tz)},
      {"bars.session_start", Type::kString, "local session start (HH:MM)",
       HARRIER_FIELD(bars.session_start)},
      {"bars.price_exclude", Type::kString,
       "trade flags whose prints do not set bar prices (comma list or none)",
       HARRIER_FIELD(bars.price_exclude)},
      {"bars.price_exclude_regular", Type::kString,
       "trade flags whose prints set prices only when also extended_hours",
       HARRIER_FIELD(bars.price_exclude_regular)},
      {"bars.volume_exclude", Type::kString,
       "trade flags whose prints do not count in volume (comma list or none)",
       HARRIER_FIELD(bars.volume_exclude)},
      {"bars.max_gap_fill_s",
       Type::kInt,
       "empty bars are filled up to this long after a tick",
       HARRIER_FIELD(bars.max_gap_fill_s),
       {},
       0,
       30 * 86400},

      {"ingest.quote_min_interval_ms",
       Type::kInt,
       "quote:{sym} is written at most once per this interval per symbol",
       HARRIER_FIELD(ingest.quote_min_interval_ms),
       {},
       0,
       60000},
      {"ingest.stream_maxlen",
       Type::kInt,
       "approximate cap of each stream (XADD MAXLEN ~)",
       HARRIER_FIELD(ingest.stream_maxlen),
       {},
       100,
       1e9},
      {"ingest.backlog_max",
       Type::kInt,
       "seal batches buffered while Redis is down before the oldest are dropped",
       HARRIER_FIELD(ingest.backlog_max),
       {},
       1,
       1e8},
      {"ingest.backlog_max_mb",
       Type::kInt,
       "and at most this many MiB of bar payloads (the oldest are dropped first)",
       HARRIER_FIELD(ingest.backlog_max_mb),
       {},
       1,
       1e6},
      {"ingest.rt_priority",
       Type::kInt,
       "SCHED_FIFO priority (1-99) of P1's feed and bar threads, so the other roles and Redis "
       "cannot preempt them on a small machine; 0 leaves them to the normal scheduler. Needs "
       "CAP_SYS_NICE or an RLIMIT_RTPRIO (ulimit -r) at least this high; when refused P1 says "
       "so and runs without it",
       HARRIER_FIELD(ingest.rt_priority),
       {},
       0,
       99},

      {"broker.kind",
       Type::kString,
       "where orders go: paper, or ib (TWS / IB Gateway)",
       HARRIER_FIELD(broker.kind),
       {"paper", "ib"}},
      {"broker.latency_ms",
       Type::kInt,
       "paper broker: delay before an order is filled",
       HARRIER_FIELD(broker.latency_ms),
       {},
       0,
       60000},
      {"broker.slippage_bps",
       Type::kDouble,
       "paper broker: adverse slippage in basis points",
       HARRIER_FIELD(broker.slippage_bps),
       {},
       0,
       10000},
      {"broker.order_timeout_ms",
       Type::kInt,
       "an order with no broker answer after this is unknown: the symbol stops opening",
       HARRIER_FIELD(broker.order_timeout_ms),
       {},
       1,
       600000},
      {"broker.paper_silent_symbols", Type::kStringList,
       "paper broker, for tests: orders for these symbols are never answered, so P2's fail-closed "
       "path (order state unknown, symbol halted) can be exercised",
       HARRIER_FIELD(broker.paper_silent_symbols)},

      {"strategy.name",
       Type::kString,
       "the strategy P2 runs",
       HARRIER_FIELD(strategy.name),
       {"ema_rsi_confluence"}},
      {"strategy.qty", Type::kInt, "shares per entry", HARRIER_FIELD(strategy.qty), {}, 1, 1e9},
      {"strategy.intervals", Type::kStringList,
       "intervals whose EMA9 must be above EMA21 (confluence)", HARRIER_FIELD(strategy.intervals)},
      {"strategy.trigger",
       Type::kString,
       "interval whose sealed bars trigger an evaluation",
       HARRIER_FIELD(strategy.trigger),
       {"1s", "5s", "15s", "30s", "1m", "5m"}},
      {"strategy.rsi_min",
       Type::kDouble,
       "entry only when RSI-14 of the trigger bar >= this",
       HARRIER_FIELD(strategy.rsi_min),
       {},
       0,
       100},
      {"strategy.rsi_max",
       Type::kDouble,
       "entry only when RSI-14 of the trigger bar <= this",
       HARRIER_FIELD(strategy.rsi_max),
       {},
       0,
       100},
      {"strategy.max_quote_age_ms",
       Type::kInt,
       "no entry on a quote older than this",
       HARRIER_FIELD(strategy.max_quote_age_ms),
       {},
       0,
       3600000},
      {"strategy.max_spread_bps",
       Type::kDouble,
       "no entry when the spread is wider than this",
       HARRIER_FIELD(strategy.max_spread_bps),
       {},
       0,
       10000},
      {"strategy.ema_uptrend", Type::kBool,
       "entry only when ema9 > ema21 on every interval of strategy.intervals; false drops the "
       "gate (harrier bench does, so its load does not depend on the price path's direction)",
       HARRIER_FIELD(strategy.ema_uptrend)},

      {"execute.test_exit_before_ack", Type::kBool,
       "tests only: P2 kills itself (SIGKILL) after recording a decision and before XACK, to "
       "check redelivery; never set this in production",
       HARRIER_FIELD(execute.test_exit_before_ack)},

      {"stops.mode",
       Type::kString,
       "trailing stop: percent or atr",
       HARRIER_FIELD(stops.mode),
       {"percent", "atr"}},
      {"stops.trail_pct",
       Type::kDouble,
       "percent trail below the best price since entry",
       HARRIER_FIELD(stops.trail_pct),
       {},
       0.0001,
       100},
      {"stops.atr_mult",
       Type::kDouble,
       "ATR multiples below the best price (mode atr)",
       HARRIER_FIELD(stops.atr_mult),
       {},
       0.0001,
       1000},
      {"stops.atr_interval",
       Type::kString,
       "bars the ATR is computed on",
       HARRIER_FIELD(stops.atr_interval),
       {"1s", "5s", "15s", "30s", "1m", "5m"}},
      {"stops.atr_period",
       Type::kInt,
       "ATR period in bars",
       HARRIER_FIELD(stops.atr_period),
       {},
       1,
       10000},

      {"telemetry.http", Type::kString,
       "metrics listen address HOST:PORT (loopback by default; empty: off)",
       HARRIER_FIELD(telemetry.http)},
      {"telemetry.watchdog_interval_ms",
       Type::kInt,
       "how often broker positions are compared with position:{sym}",
       HARRIER_FIELD(telemetry.watchdog_interval_ms),
       {},
       10,
       3600000},
      {"telemetry.watchdog_flatten", Type::kBool, "ask P2 to flatten a position nobody opened",
       HARRIER_FIELD(telemetry.watchdog_flatten)},

      {"ib.host", Type::kString, "TWS / IB Gateway host (its API socket)", HARRIER_FIELD(ib.host)},
      {"ib.port",
       Type::kInt,
       "TWS / IB Gateway API port: 7497 TWS paper, 7496 TWS live, 4002 / 4001 Gateway",
       HARRIER_FIELD(ib.port),
       {},
       1,
       65535},
      {"ib.client_id_ingest",
       Type::kInt,
       "TWS client id of P1 (market data)",
       HARRIER_FIELD(ib.client_id_ingest),
       {},
       0,
       2147483646},
      {"ib.client_id_execute",
       Type::kInt,
       "TWS client id of P2 (orders; order ids are per client id)",
       HARRIER_FIELD(ib.client_id_execute),
       {},
       0,
       2147483646},
      {"ib.client_id_telemetry",
       Type::kInt,
       "TWS client id of P3 (positions for the watchdog)",
       HARRIER_FIELD(ib.client_id_telemetry),
       {},
       0,
       2147483646},
      {"ib.account", Type::kString, "IB account for orders (empty: TWS's default account)",
       HARRIER_FIELD(ib.account)},
      {"ib.depth_venues", Type::kStringList,
       "venues of the L2 depth subscriptions (at most the account's depth limit, 3 by default)",
       HARRIER_FIELD(ib.depth_venues)},
      {"ib.depth_rows",
       Type::kInt,
       "rows per depth subscription",
       HARRIER_FIELD(ib.depth_rows),
       {},
       1,
       100},
      {"ib.option_window",
       Type::kInt,
       "option-chain telemetry: strikes each side of the money",
       HARRIER_FIELD(ib.option_window),
       {},
       0,
       50},
      {"ib.pacing_per_s",
       Type::kDouble,
       "outgoing TWS messages per second, all types (TWS allows 50; the burst is 50 - this)",
       HARRIER_FIELD(ib.pacing_per_s),
       {},
       1,
       49},
      {"ib.reconnect_max_ms",
       Type::kInt,
       "cap of the reconnect backoff (exponential with jitter)",
       HARRIER_FIELD(ib.reconnect_max_ms),
       {},
       100,
       600000},
      {"ib.watchdog_ms",
       Type::kInt,
       "silence before reqCurrentTime is sent; unanswered, the connection is re-made (0: off)",
       HARRIER_FIELD(ib.watchdog_ms),
       {},
       0,
       600000},
      {"ib.restart_window", Type::kString,
       "daily gateway-restart window HH:MM-HH:MM in UTC: no order is sent inside it (empty: none)",
       HARRIER_FIELD(ib.restart_window)},

      {"heartbeat.interval_ms",
       Type::kInt,
       "each role writes heartbeat:{role} this often",
       HARRIER_FIELD(heartbeat.interval_ms),
       {},
       10,
       600000},
      {"heartbeat.ttl_ms",
       Type::kInt,
       "TTL of heartbeat:{role}",
       HARRIER_FIELD(heartbeat.ttl_ms),
       {},
       100,
       3600000},

      {"manager.run_dir", Type::kString, "logs, sockets and pid files (empty: a new /tmp dir)",
       HARRIER_FIELD(manager.run_dir)},
      {"manager.stagger_ms",
       Type::kInt,
       "pause between launching P1, P2 and P3",
       HARRIER_FIELD(manager.stagger_ms),
       {},
       0,
       600000},
      {"manager.ready_timeout_ms",
       Type::kInt,
       "how long a role may take to send its first heartbeat",
       HARRIER_FIELD(manager.ready_timeout_ms),
       {},
       100,
       3600000},
      {"manager.health_interval_ms",
       Type::kInt,
       "health check period",
       HARRIER_FIELD(manager.health_interval_ms),
       {},
       10,
       3600000},
      {"manager.restart_delay_ms",
       Type::kInt,
       "wait before restarting a dead or hung role",
       HARRIER_FIELD(manager.restart_delay_ms),
       {},
       0,
       3600000},
      {"manager.max_restarts",
       Type::kInt,
       "restarts per role before it is reported failed",
       HARRIER_FIELD(manager.max_restarts),
       {},
       0,
       1000},
      {"manager.status_interval_s",
       Type::kInt,
       "status block period on the console (0: off)",
       HARRIER_FIELD(manager.status_interval_s),
       {},
       0,
       86400},
      {"manager.stop_grace_ms",
       Type::kInt,
       "time each role gets to stop before SIGKILL",
       HARRIER_FIELD(manager.stop_grace_ms),
       {},
       0,
       600000},
      {"manager.keep_data", Type::kBool, "keep session keys in Redis at teardown",
       HARRIER_FIELD(manager.keep_data)},
      {"manager.redis_server", Type::kString, "redis-server binary for the private Redis",
       HARRIER_FIELD(manager.redis_server)},
      {"manager.redis_persistence", Type::kBool, "let the private Redis save to disk",
       HARRIER_FIELD(manager.redis_persistence)},
      {"manager.cpu_ingest", Type::kString, "CPUs for P1, e.g. 0-3 (empty: no pinning)",
       HARRIER_FIELD(manager.cpu_ingest)},
      {"manager.cpu_execute", Type::kString, "CPUs for P2", HARRIER_FIELD(manager.cpu_execute)},
      {"manager.cpu_telemetry", Type::kString, "CPUs for P3", HARRIER_FIELD(manager.cpu_telemetry)},
      {"manager.test_role_args", Type::kStringList,
       "tests only: ROLE:ARG entries appended to that role's command line (e.g. "
       "telemetry:--bogus makes P3 exit at every start); never set this in production",
       HARRIER_FIELD(manager.test_role_args)},

      {"log.level",
       Type::kString,
       "debug, info, warn or error",
       HARRIER_FIELD(log.level),
       {"debug", "info", "warn", "error"}},
  };
  return k;
}
#undef HARRIER_FIELD

const KeyDef* find_key(std::string_view name) {
  for (const KeyDef& k : keys()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

Error key_error(std::string_view name, std::string message) {
  return invalid_input("key '" + std::string(name) + "': " + std::move(message));
}

Status check_range(const KeyDef& k, double v) {
  if (!(v >= k.min && v <= k.max)) {
    std::string lo, hi;
    text::append_double(lo, k.min);
    text::append_double(hi, k.max);
    return key_error(k.name, "value out of range [" + lo + ", " + hi + "]");
  }
  return ok();
}

Status check_allowed(const KeyDef& k, const std::string& v) {
  if (k.allowed.empty()) return ok();
  std::string list;
  for (std::string_view a : k.allowed) {
    if (a == v) return ok();
    if (!list.empty()) list += ", ";
    list += a;
  }
  return key_error(k.name, "'" + v + "' is not one of: " + list);
}

// Sets key `k` from command-line text.
Status set_from_text(Config& c, const KeyDef& k, std::string_view value) {
  void* f = k.field(c);
  switch (k.type) {
    case Type::kString: {
      auto& s = *static_cast<std::string*>(f);
      s = std::string(value);
      return check_allowed(k, s);
    }
    case Type::kInt: {
      auto v = text::parse_int(value);
      if (!v) return key_error(k.name, "'" + std::string(value) + "' is not an integer");
      HARRIER_TRY(check_range(k, static_cast<double>(*v)));
      *static_cast<std::int64_t*>(f) = *v;
      return ok();
    }
    case Type::kDouble: {
      auto v = text::parse_double(value);
      if (!v || !std::isfinite(*v)) {
        return key_error(k.name, "'" + std::string(value) + "' is not a number");
      }
      HARRIER_TRY(check_range(k, *v));
      *static_cast<double*>(f) = *v;
      return ok();
    }
    case Type::kBool:
      if (value == "true" || value == "1") {
        *static_cast<bool*>(f) = true;
      } else if (value == "false" || value == "0") {
        *static_cast<bool*>(f) = false;
      } else {
        return key_error(k.name, "'" + std::string(value) + "' is not true or false");
      }
      return ok();
    case Type::kStringList: {
      auto& list = *static_cast<std::vector<std::string>*>(f);
      list.clear();
      std::string_view rest = value;
      while (!rest.empty()) {
        std::size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        if (!item.empty()) list.emplace_back(item);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
      return ok();
    }
  }
  return ok();
}

// Sets key `k` from a TOML node of the file.
Status set_from_toml(Config& c, const KeyDef& k, const toml::node& node) {
  void* f = k.field(c);
  switch (k.type) {
    case Type::kString:
      if (auto v = node.value<std::string>(); v && node.is_string()) {
        *static_cast<std::string*>(f) = *v;
        return check_allowed(k, *v);
      }
      return key_error(k.name, "expected a string");
    case Type::kInt:
      if (node.is_integer()) {
        auto v = *node.value<std::int64_t>();
        HARRIER_TRY(check_range(k, static_cast<double>(v)));
        *static_cast<std::int64_t*>(f) = v;
        return ok();
      }
      return key_error(k.name, "expected an integer");
    case Type::kDouble:
      if (node.is_integer() || node.is_floating_point()) {
        double v = *node.value<double>();
        if (!std::isfinite(v)) return key_error(k.name, "expected a finite number");
        HARRIER_TRY(check_range(k, v));
        *static_cast<double*>(f) = v;
        return ok();
      }
      return key_error(k.name, "expected a number");
    case Type::kBool:
      if (node.is_boolean()) {
        *static_cast<bool*>(f) = *node.value<bool>();
        return ok();
      }
      return key_error(k.name, "expected true or false");
    case Type::kStringList: {
      auto& list = *static_cast<std::vector<std::string>*>(f);
      list.clear();
      if (node.is_string()) {
        list.push_back(*node.value<std::string>());
        return ok();
      }
      const toml::array* arr = node.as_array();
      if (arr == nullptr) return key_error(k.name, "expected a list of strings");
      for (const toml::node& item : *arr) {
        if (!item.is_string()) return key_error(k.name, "expected a list of strings");
        list.push_back(*item.value<std::string>());
      }
      return ok();
    }
  }
  return ok();
}

// "HH:MM" -> minutes of the day, or -1.
int hhmm_minutes(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return -1;
  auto h = text::parse_int(s.substr(0, 2));
  auto m = text::parse_int(s.substr(3, 2));
  if (!h || !m || *h < 0 || *h > 23 || *m < 0 || *m > 59) return -1;
  return static_cast<int>(*h * 60 + *m);
}

Status validate_ib(const Config::Ib& ib) {
  if (ib.host.empty()) return key_error("ib.host", "empty");
  if (ib.client_id_ingest == ib.client_id_execute ||
      ib.client_id_ingest == ib.client_id_telemetry ||
      ib.client_id_execute == ib.client_id_telemetry) {
    return key_error("ib.client_id_execute",
                     "the three roles need three different client ids (TWS refuses a duplicate "
                     "with error 326)");
  }
  if (ib.depth_venues.size() > 10) return key_error("ib.depth_venues", "more than 10 venues");
  for (const std::string& v : ib.depth_venues) {
    if (v.empty() || v.size() > 16) return key_error("ib.depth_venues", "bad venue '" + v + "'");
  }
  if (!ib.restart_window.empty()) {
    std::string_view w = ib.restart_window;
    std::size_t dash = w.find('-');
    int a = dash == std::string_view::npos ? -1 : hhmm_minutes(w.substr(0, dash));
    int b = dash == std::string_view::npos ? -1 : hhmm_minutes(w.substr(dash + 1));
    if (a < 0 || b < 0 || a == b) {
      return key_error("ib.restart_window",
                       "want HH:MM-HH:MM (UTC), got '" + ib.restart_window + "'");
    }
  }
  return ok();
}

Status validate(const Config& c) {
  if (c.feed.kind == "replay" && c.feed.path.empty()) {
    return key_error("feed.path", "feed.kind is replay but no file is given");
  }
  if (c.strategy.rsi_min > c.strategy.rsi_max) {
    return key_error("strategy.rsi_min", "greater than strategy.rsi_max");
  }
  for (const std::string& iv : c.strategy.intervals) {
    static const std::set<std::string> kIv = {"1s", "5s", "15s", "30s", "1m", "5m"};
    if (kIv.count(iv) == 0) return key_error("strategy.intervals", "unknown interval '" + iv + "'");
  }
  for (const auto& [name, text] : {std::pair{"manager.cpu_ingest", &c.manager.cpu_ingest},
                                   std::pair{"manager.cpu_execute", &c.manager.cpu_execute},
                                   std::pair{"manager.cpu_telemetry", &c.manager.cpu_telemetry}}) {
    if (text->empty()) continue;
    auto cpus = parse_cpu_list(*text);
    if (!cpus) return key_error(name, cpus.error().message());
  }
  HARRIER_TRY(validate_ib(c.ib));
  return ok();
}

}  // namespace

Result<std::vector<int>> parse_cpu_list(std::string_view text) {
  std::vector<int> out;
  std::string_view rest = text;
  auto bad = [&] {
    return invalid_input("'" + std::string(text) + "' is not a CPU list such as 0-3,8");
  };
  if (rest.empty()) return bad();
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    std::size_t dash = item.find('-');
    auto lo = text::parse_int(item.substr(0, dash));
    auto hi = dash == std::string_view::npos ? lo : text::parse_int(item.substr(dash + 1));
    if (!lo || !hi || *lo < 0 || *hi < *lo || *hi > 4095) return bad();
    for (std::int64_t cpu = *lo; cpu <= *hi; ++cpu) out.push_back(static_cast<int>(cpu));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (comma != std::string_view::npos && rest.empty()) return bad();
  }
  return out;
}

Result<Config> load_config(std::string_view path, const std::vector<std::string>& overrides) {
  Config c;
  if (!path.empty()) {
    toml::table table;
    try {
      table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      const auto& where = e.source().begin;
      return invalid_input(std::string(path) + ":" + std::to_string(where.line) + ":" +
                           std::to_string(where.column) + ": " + std::string(e.description()));
    }
    for (const auto& [section, node] : table) {
      const toml::table* inner = node.as_table();
      if (inner == nullptr) {
        return invalid_input(std::string(path) + ": key '" + std::string(section.str()) +
                             "': expected a [section] table");
      }
      for (const auto& [key, value] : *inner) {
        std::string name = std::string(section.str()) + "." + std::string(key.str());
        const KeyDef* k = find_key(name);
        if (k == nullptr) {
          return invalid_input(std::string(path) + ": unknown key '" + name + "'");
        }
        auto st = set_from_toml(c, *k, value);
        if (!st) return std::move(st).error().with_context(path);
      }
    }
  }
  for (const std::string& o : overrides) {
    std::size_t eq = o.find('=');
    if (eq == std::string::npos) {
      return invalid_input("--set '" + o + "': expected section.key=value");
    }
    std::string name = o.substr(0, eq);
    const KeyDef* k = find_key(name);
    if (k == nullptr) return invalid_input("--set: unknown key '" + name + "'");
    auto st = set_from_text(c, *k, std::string_view(o).substr(eq + 1));
    if (!st) return std::move(st).error().with_context("--set");
  }
  HARRIER_TRY(validate(c));
  return c;
}

std::string config_example() {
  Config defaults;
  std::string out =
      "# harrier.toml: every key Harrier reads, with its default. Every key is optional.\n"
      "# Any key can also be given on the command line: --set section.key=value.\n";
  std::string_view section;
  for (const KeyDef& k : keys()) {
    std::string_view sec = k.name.substr(0, k.name.find('.'));
    if (sec != section) {
      out += "\n[" + std::string(sec) + "]\n";
      section = sec;
    }
    out += "# " + std::string(k.help);
    if (!k.allowed.empty()) {
      out += " (";
      for (std::size_t i = 0; i < k.allowed.size(); ++i) {
        out += (i ? " | " : "") + std::string(k.allowed[i]);
      }
      out += ")";
    }
    out += "\n" + std::string(k.name.substr(k.name.find('.') + 1)) + " = ";
    void* f = k.field(defaults);
    switch (k.type) {
      case Type::kString:
        out += "\"" + *static_cast<std::string*>(f) + "\"";
        break;
      case Type::kInt:
        text::append_int(out, *static_cast<std::int64_t*>(f));
        break;
      case Type::kDouble: {
        double v = *static_cast<double*>(f);
        text::append_double(out, v);
        if (v == std::floor(v) && std::fabs(v) < 1e15) out += ".0";
        break;
      }
      case Type::kBool:
        out += *static_cast<bool*>(f) ? "true" : "false";
        break;
      case Type::kStringList: {
        out += "[";
        const auto& list = *static_cast<std::vector<std::string>*>(f);
        for (std::size_t i = 0; i < list.size(); ++i) {
          out += (i ? ", \"" : "\"") + list[i] + "\"";
        }
        out += "]";
        break;
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace harrier
