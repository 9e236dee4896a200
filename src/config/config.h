// Harrier's configuration (ARCHITECTURE §7): one TOML file shared by every role and the
// manager. Every key is optional with a documented default and can also be set on the command
// line as `--set section.key=value` (repeatable; wins over the file). Loading validates every
// value and refuses unknown keys; errors name the key ("config: key 'redis.url': ...").
//
// The key table in config.cc is the single source of truth: it parses, validates, and prints
// the documented example (`harrier config --example`).
// Thread-safety: a Config is a plain value; load it once at start-up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace harrier {

struct Config {
  struct Redis {
    std::string url;  // empty: the manager starts a private redis-server; roles need one
    std::string user;
    std::string password_env;
    std::string password_file;
    std::int64_t connect_timeout_ms = 1000;
    std::int64_t command_timeout_ms = 1000;
  } redis;
  struct Feed {
    std::string kind = "sim";  // replay | sim | ib
    std::vector<std::string> path;
    std::string speed = "max";
    std::vector<std::string> symbols;
    std::string from;  // replay: first tick time (ns or ISO-8601); empty: the beginning
    std::string to;    // replay: end time, exclusive; empty: the end
    bool strict = false;
    std::int64_t tolerance_ms = 1000;
    std::int64_t queue_capacity = 1 << 16;
  } feed;
  struct Sim {
    std::int64_t symbols = 1;
    double rate = 2000;  // mean events/s across all symbols
    std::int64_t seed = 1;
    bool open_burst = true;
    double seconds = 23400;  // session length (a 6.5 h trading day); 0: endless, no burst
    double trade_frac = 0.3;
    std::string start = "now";  // "now" or a time (ISO-8601 / ns) for the first event
    double skew = 0;            // symbol i is picked with weight 1/(i+1)^skew
    std::string speed = "1";    // pace: 1 = real time (live-like), or max (load tests)
  } sim;
  struct Bars {
    std::int64_t window = 120;
    std::int64_t grace_ms = 250;
    std::string session_tz = "America/New_York";
    std::string session_start = "09:30";
    std::string price_exclude = "suspicious,open_close";
    std::string price_exclude_regular = "average_price,intermarket_sweep,seller";
    std::string volume_exclude = "suspicious,open_close";
    std::int64_t max_gap_fill_s = 4 * 3600;
  } bars;
  struct Ingest {
    std::int64_t quote_min_interval_ms = 10;
    std::int64_t stream_maxlen = 100000;
    std::int64_t backlog_max = 100000;
    std::int64_t backlog_max_mb = 256;
    std::int64_t rt_priority = 0;  // SCHED_FIFO priority of the feed and bar threads; 0: none
  } ingest;
  struct Broker {
    std::string kind = "paper";  // paper | ib
    std::int64_t latency_ms = 0;
    double slippage_bps = 0;
    std::int64_t order_timeout_ms = 2000;
    std::vector<std::string> paper_silent_symbols;  // tests: orders never answered (fail closed)
  } broker;
  struct Strategy {
    std::string name = "ema_rsi_confluence";
    std::int64_t qty = 100;
    std::vector<std::string> intervals = {"1m", "5m"};
    std::string trigger = "1m";
    double rsi_min = 50;
    double rsi_max = 70;
    std::int64_t max_quote_age_ms = 2000;
    double max_spread_bps = 10;
    bool ema_uptrend = true;  // the ema_<iv> gate; off only for loads (harrier bench)
  } strategy;
  struct Execute {
    bool test_exit_before_ack = false;  // tests only: SIGKILL itself after a decision, before XACK
  } execute;
  struct Stops {
    std::string mode = "percent";  // percent | atr
    double trail_pct = 0.5;
    double atr_mult = 3;
    std::string atr_interval = "1m";
    std::int64_t atr_period = 14;
  } stops;
  struct Telemetry {
    std::string http = "127.0.0.1:9464";  // empty: no HTTP server
    std::int64_t watchdog_interval_ms = 5000;
    bool watchdog_flatten = false;
  } telemetry;
  // Interactive Brokers TWS / IB Gateway (docs/tws.md; examples/ib-paper.toml).
  struct Ib {
    std::string host = "127.0.0.1";
    std::int64_t port = 7497;  // TWS paper; live 7496, Gateway 4002 paper / 4001 live
    std::int64_t client_id_ingest = 18;
    std::int64_t client_id_execute = 20;
    std::int64_t client_id_telemetry = 21;
    std::string account;  // empty: TWS's default account
    std::vector<std::string> depth_venues = {"ARCA", "ISLAND", "IEX"};
    std::int64_t depth_rows = 10;
    std::int64_t option_window = 5;  // strikes each side of the money
    double pacing_per_s = 45;
    std::int64_t reconnect_max_ms = 30000;
    std::int64_t watchdog_ms = 10000;  // 0: off
    std::string restart_window;        // "HH:MM-HH:MM" UTC, no orders inside; empty: none
  } ib;
  struct Heartbeat {
    std::int64_t interval_ms = 1000;
    std::int64_t ttl_ms = 5000;
  } heartbeat;
  struct Manager {
    std::string run_dir;  // empty: a new directory under /tmp
    std::int64_t stagger_ms = 2000;
    std::int64_t ready_timeout_ms = 15000;
    std::int64_t health_interval_ms = 5000;
    std::int64_t restart_delay_ms = 3000;
    std::int64_t max_restarts = 5;
    std::int64_t status_interval_s = 30;
    std::int64_t stop_grace_ms = 2000;
    bool keep_data = false;
    std::string redis_server = "redis-server";
    bool redis_persistence = false;
    std::string cpu_ingest;  // CPU list such as "0-3"; empty: no pinning
    std::string cpu_execute;
    std::string cpu_telemetry;
    std::vector<std::string> test_role_args;  // tests: "ROLE:ARG" appended to one role's argv
  } manager;
  struct Log {
    std::string level = "info";
  } log;
};

// Loads `path` (empty: defaults only), then applies each "section.key=value" override in order,
// then validates. kInvalidInput names the key, or the file and line for TOML syntax errors.
Result<Config> load_config(std::string_view path, const std::vector<std::string>& overrides);

// The documented example file: every key with its default value and meaning.
std::string config_example();

// Parses a CPU list such as "0-3,8,10-11" into CPU numbers; kInvalidInput naming the text.
Result<std::vector<int>> parse_cpu_list(std::string_view text);

}  // namespace harrier
