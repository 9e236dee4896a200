// IbFeed (feed.kind = "ib"): the feed::Feed over one TWS connection (P1's client id,
// ib.client_id_ingest). Per configured symbol (stock, SMART/USD) it holds, in the connection's
// subscription registry so they are replayed after every reconnect and every 1101:
//   - tick-by-tick trades (AllLast by default) -> trade Ticks;
//   - tick-by-tick BidAsk -> quote Ticks;
//   - L2 depth from ib.depth_venues (at most depth_limit subscriptions in all, the account's
//     concurrent-depth limit, 3 by default; error 309 drops the refused one). Depth is COUNTED
//     and kept as a per-venue book (depth_sizes()), never turned into Ticks: the quote sizes of
//     the bars stay the BBO sizes of the BidAsk stream;
//   - option-chain telemetry: the underlying is qualified (reqContractDetails -> conId), the
//     chain read (reqSecDefOptParams, SMART), and calls and puts of the nearest expiry for
//     option_window strikes each side of the money are qualified in the background and
//     subscribed with reqMktData (greeks arrive as tickOptionComputation). The window is rolled
//     when the strike nearest the underlying's price changes. Kept in option_lines(), counted in
//     IbFeedStats; nothing of it enters a Tick or the bar schema.
// Every tick is validated like the replay feed's (feed::validate_tick: no NaN, no negative,
// no crossed quote) and rejects are counted in FeedStats. Tick times: TWS stamps tick-by-tick
// data in whole seconds; a tick's ts_ns is the wall clock at receipt clamped into its second
// (live timestamps with sub-second order, never outside the exchange's second).
//
// next() drives the connection's do_work() with a short idle poll and returns false only once
// the stop predicate says so; a gateway that is down yields no ticks and no error (the
// connection reconnects and the registry resubscribes). poll() is the non-blocking duty cycle
// tests call on their own thread with a ManualClock. Owned and driven by one thread (P1's feed
// thread); not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/tws/connection.h"
#include "config/config.h"
#include "feed/feed.h"

namespace harrier::tws {

struct IbFeedOptions {
  std::vector<std::string> symbols;                  // upper-case tickers; at least one
  TickByTickType trades = TickByTickType::kAllLast;  // kAllLast or kLast
  std::vector<std::string> depth_venues = {"ARCA", "ISLAND", "IEX"};
  int depth_rows = 10;
  int depth_limit = 3;    // concurrent depth subscriptions the account allows
  int option_window = 5;  // strikes each side of the money; 0: no option telemetry
  std::string option_generic_ticks = "100,101,106";  // volume, open interest, implied vol
  std::size_t max_pending = 1 << 16;                 // ticks decoded but not yet handed out
  DurationNs backwards_tolerance_ns = kNsPerSec;     // older than latest - this: rejected
  DurationNs idle_poll_ns = kNsPerMs;                // next(): sleep when a cycle was idle
  DurationNs roll_min_interval_ns = kNsPerSec;       // at most one window roll per symbol
  std::function<bool()> stop;                        // next() returns false once it is true
};

// IbFeedOptions from [feed] and [ib]; kInvalidInput naming the key.
Result<IbFeedOptions> ib_feed_options(const Config& c);

struct IbFeedStats {
  std::uint64_t trades = 0;              // trade Ticks handed out
  std::uint64_t quotes = 0;              // quote Ticks handed out
  std::uint64_t dropped = 0;             // valid ticks dropped: pending queue full
  std::uint64_t stale_data = 0;          // data on a reqId of a past session
  std::uint64_t depth_updates = 0;       // L2 rows applied
  std::uint64_t depth_rejected = 0;      // L2 rows with a bad position, price or size
  std::uint64_t depth_resets = 0;        // 317: book cleared
  std::uint64_t depth_refused = 0;       // 309: subscription dropped
  std::uint64_t data_errors = 0;         // other errors on a data request (permissions...)
  std::uint64_t option_chains = 0;       // chains read (reqSecDefOptParams answered)
  std::uint64_t option_qualified = 0;    // option contracts qualified (conId known)
  std::uint64_t option_unqualified = 0;  // qualification answered with no contract
  std::uint64_t option_rolls = 0;        // window moved to a new centre strike
  std::uint64_t greeks = 0;              // tickOptionComputation applied
  std::uint64_t greeks_rejected = 0;     // tickOptionComputation with nothing usable
};

// One option of the telemetry window and its latest greeks (NaN until known).
struct OptionLine {
  std::string expiry;  // YYYYMMDD
  double strike = 0;
  char right = 'C';
  std::int64_t con_id = 0;  // 0 until qualified
  double implied_vol = kUnset, delta = kUnset, gamma = kUnset, vega = kUnset, theta = kUnset;
  double opt_price = kUnset, und_price = kUnset;
  TimestampNs greeks_ns = 0;  // wall time of the latest greeks; 0: none yet
};

class IbFeed final : public feed::Feed, private ConnectionHandler {
 public:
  // P1: its own Connection (connection_options(ib, kIngest)) started at once. The feed never
  // places orders, so order ids stay in memory. `clock` must outlive the feed. kInvalidInput
  // for bad options (no symbol, a bad ticker, depth_rows < 1, kMidPoint trades).
  static Result<std::unique_ptr<IbFeed>> open(const Config& c, const Clock& clock,
                                              std::function<bool()> stop);
  // Over a caller's connection (tests): `conn` and `clock` must outlive the feed, which
  // becomes the connection's handler and registers its subscriptions; the caller starts it.
  static Result<std::unique_ptr<IbFeed>> create(Connection& conn, const Clock& clock,
                                                IbFeedOptions opts);
  ~IbFeed() override;

  // Blocks (polling every idle_poll_ns) until a tick is ready: true; false once opts.stop()
  // is true. Never an error: a lost gateway means no ticks until it is back.
  Result<bool> next(Tick& out) override;
  // One bounded duty cycle: up to `rounds` do_work() calls while they find work and no tick
  // is ready. True with a tick in `out`, false when none is ready yet. Never blocks.
  bool poll(Tick& out, int rounds = 64);

  const SymbolTable& symbols() const override { return symbols_; }
  const feed::FeedStats& stats() const override { return stats_; }
  bool live() const override { return true; }
  const IbFeedStats& ib_stats() const { return ib_stats_; }
  const Connection& connection() const { return conn_; }
  // Total size on each side of the symbol's depth books (all venues); {0, 0} when none.
  std::pair<double, double> depth_sizes(std::string_view sym) const;
  // The option window of `sym`, ordered by strike then right.
  std::vector<OptionLine> option_lines(std::string_view sym) const;

 private:
  struct Book {
    std::vector<std::pair<double, double>> bids, asks;  // (price, size) by position
  };
  struct OptionKey {
    double strike;
    char right;
    bool operator<(const OptionKey& o) const {
      return strike != o.strike ? strike < o.strike : right < o.right;
    }
  };
  struct OptionState {
    OptionLine line;
    std::int32_t details_req = 0;  // qualification in flight; 0: none
    SubId sub = kNoSub;            // reqMktData once qualified
  };
  struct Sym {
    std::string name;
    SymbolId id = kNoSymbol;
    TimestampNs last_ts = 0;
    double last_price = 0;  // last trade, else quote mid: centres the option window
    std::int64_t con_id = 0;
    std::int32_t details_req = 0, chain_req = 0;
    bool chain_done = false;
    std::string chain_exchange;
    std::vector<std::string> expirations;  // sorted
    std::vector<double> strikes;           // sorted
    int centre = -1;                       // index into strikes; -1: no window yet
    std::int64_t last_roll_mono = 0;
    std::map<OptionKey, OptionState> options;
  };
  enum class Route : std::uint8_t { kTrades, kQuotes, kDepth, kOption };
  struct SubRoute {
    Route route;
    std::size_t sym;
    OptionKey key{0, 'C'};
  };

  IbFeed(Connection& conn, const Clock& clock, IbFeedOptions opts);
  Status subscribe_all();
  void on_message(const Message& m, SubId sub) override;
  void on_state(SessionState from, SessionState to, std::string_view why) override;
  void on_trade(Sym& s, const TickByTickLast& t);
  void on_quote(Sym& s, const TickByTickBidAsk& q);
  void on_depth(SubId sub, const MarketDepth& d);
  void on_error(const ErrorMessage& e, SubId sub);
  void on_details(const ContractDetails& d);
  void on_chain(const SecDefOptParams& p);
  void on_chain_end(std::int32_t req_id);
  void on_greeks(const SubRoute& r, const TickOptionComputation& g);
  // Stamps, validates and queues a tick; counts the reject otherwise.
  void emit(Sym& s, Tick t, std::int64_t time_s, std::string_view what);
  void reject(feed::RejectReason r, const Sym& s, std::string_view detail);
  void request_underlying(Sym& s);
  void request_chain(Sym& s);
  void qualify(Sym& s, OptionState& o);
  void maybe_roll(Sym& s, bool force);
  Sym* sym_by_req(std::int32_t req_id, bool chain);

  std::unique_ptr<InMemoryOrderIdStore> owned_ids_;  // open() only
  std::unique_ptr<Connection> owned_conn_;           // open() only
  Connection& conn_;
  const Clock& clock_;
  IbFeedOptions opts_;
  SymbolTable symbols_;
  std::vector<Sym> syms_;
  std::map<SubId, SubRoute> routes_;
  std::map<SubId, Book> books_;
  std::deque<Tick> pending_;
  feed::FeedStats stats_;
  IbFeedStats ib_stats_;
  log::LogEvery reject_log_{5 * kNsPerSec};
  log::LogEvery error_log_{5 * kNsPerSec};
};

}  // namespace harrier::tws
