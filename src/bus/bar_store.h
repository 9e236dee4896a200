// The bar store of ARCHITECTURE §2. One seal writes, as one MULTI/EXEC transaction sent in one
// pipeline: SET bars:{sym}:{iv}, HSET bundle:{sym} {iv} <same bytes> quote <quote>, HSET
// quote:{sym} (six fields) and XADD stream:new_bar. Redis runs EXEC atomically, so a reader
// (GET, HGETALL, or its own MULTI over several keys) sees either none or all of a seal.
// Readers: one interval (GET), a whole bundle (HGETALL, one round trip), or the bundles of
// several symbols (one HGETALL each, one pipeline). Bar bytes are opaque (the Arrow IPC stream
// made by arrow/); this module never looks inside them.
// All calls run on the caller's Connection and thread.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/connection.h"
#include "bus/events.h"
#include "bus/streams.h"
#include "core/interval.h"
#include "core/piece_source.h"

namespace harrier::bus {

// The quote at seal: the six fields of quote:{sym}, and the `quote` field of bundle:{sym}
// encoded as "bid,ask,bid_size,ask_size,last,ts_ns".
struct QuoteSnapshot {
  double bid = kNaN, ask = kNaN, bid_size = kNaN, ask_size = kNaN, last = kNaN;
  TimestampNs ts_ns = 0;
};
std::string encode_quote(const QuoteSnapshot& q);
// kInvalidInput naming the part that does not parse.
Result<QuoteSnapshot> decode_quote(std::string_view text);

// One seal of one symbol and interval.
struct Seal {
  std::string sym;
  Interval iv = Interval::k1s;
  TimestampNs bar_start_ns = 0;  // start of the bar just sealed
  std::int64_t seq = 0;          // that bar's seq
  TimestampNs sealed_ns = 0;     // wall time of the seal
  std::string bars;              // Arrow IPC bytes of the last N bars of (sym, iv)
  // Or, when set, those bytes as pieces sent one after another, `bars` unused: P1's windows
  // hand their columns over where they keep them, so the bar thread copies nothing. It keeps
  // every piece alive and unchanged while the seal lives.
  std::shared_ptr<const PieceSource> bars_pieces;
  QuoteSnapshot quote;

  std::size_t bars_size() const { return bars_pieces ? bars_pieces->size() : bars.size(); }

  NewBarEvent event() const { return {sym, iv, bar_start_ns, seq, sealed_ns}; }
};

// Text that the commands of one seal borrow; keep it alive until the batch has run.
struct EncodedSeal {
  std::string bars_key, bundle_key, quote_key, quote_text;
  std::array<std::string, 6> quote_fields;
  std::string maxlen_text;
  std::array<std::string, 4> event_numbers;  // bar_start_ns, seq, sealed_ns, published_ns
};

inline constexpr std::size_t kCommandsPerSeal = 7;  // MULTI SET HSET HSET XADD TIME EXEC

// Appends the kCommandsPerSeal commands of `seal` to `batch`, borrowing from `seal` and `enc`.
// `published_ns` (wall time the writer starts sending; 0 = now) goes into the new_bar event.
// The transaction ends with TIME, which writes nothing: the server's clock when it ran the
// transaction, so a writer sharing that clock can tell how long the seal took to land
// (seal_server_time).
// `announce_on` names another stream for the announcement (harrier bench's seal wake-up floor,
// which no role must see); empty: stream:new_bar.
void append_seal(CommandBatch& batch, const Seal& seal, EncodedSeal& enc,
                 std::size_t stream_maxlen = kDefaultStreamMaxLen, TimestampNs published_ns = 0,
                 std::string_view announce_on = {});
// Checks the kCommandsPerSeal replies of a seal starting at replies[first]: MULTI ok, every
// command QUEUED, EXEC an array with no error. The error names the failing command and key.
Status check_seal_replies(const std::vector<Reply>& replies, std::size_t first,
                          const CommandBatch& batch);

// The server's clock (ns since the epoch) when it ran the transaction of a seal whose replies
// check_seal_replies accepted: the reply of its TIME. kProtocol when that is not [secs, usecs].
Result<TimestampNs> seal_server_time(const std::vector<Reply>& replies, std::size_t first);

// Writes one seal as one pipeline (one round trip) and one transaction.
Status write_seal(Connection& c, const Seal& seal,
                  std::size_t stream_maxlen = kDefaultStreamMaxLen);

// GET bars:{sym}:{iv}; nullopt when the key does not exist.
Result<std::optional<std::string>> read_interval(Connection& c, std::string_view sym, Interval iv);

// The same into a caller-owned buffer that is reused between calls (no allocation once it has
// grown): true when the key exists, false (and `out` cleared) when it does not.
Result<bool> read_interval_into(Connection& c, std::string_view sym, Interval iv, std::string& out);

// A bundle as read, without copying the bar bytes (~45 KB a window): `bars` are views into
// `reply`, which owns them. The views stay valid when the Bundle is moved (the reply's bytes
// do not move); they die with it. Move-only.
struct Bundle {
  std::array<std::optional<std::string_view>, kIntervalCount> bars;  // by index_of(iv)
  std::optional<QuoteSnapshot> quote;
  std::optional<Reply> reply;  // the HGETALL (or HMGET) reply `bars` point into
  bool empty() const;
};
// HGETALL bundle:{sym}: every interval and the quote in one round trip. Unknown fields are
// ignored; a quote field that does not parse is kInvalidInput naming the key.
Result<Bundle> read_bundle(Connection& c, std::string_view sym);

// The bundles of several symbols in one pipeline (one round trip), in the order of `syms`. The
// outer error is a connection failure (kUnavailable...: nothing usable was read); otherwise
// each symbol has its own result, as read_bundle gives it (an error reply such as WRONGTYPE or
// a quote that does not parse spoils that symbol only).
// With `intervals` (a strict subset, as a strategy declares what it reads), each read is
// HMGET bundle:{sym} quote <iv>...: only those windows travel; the others are absent.
Result<std::vector<Result<Bundle>>> read_bundles(Connection& c,
                                                 std::span<const std::string_view> syms,
                                                 std::span<const Interval> intervals = {});

}  // namespace harrier::bus
