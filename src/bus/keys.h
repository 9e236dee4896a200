// The Redis names of ARCHITECTURE §2, spelled here and nowhere else: keys, streams, consumer
// groups and the fields of `bundle:{sym}`. Every other module (and every test) builds names
// through these functions, so a rename is one edit. Pure functions; thread-safe.
// Symbols are expected to have passed SymbolTable::validate (upper-case tickers); the builders
// never fail, they only concatenate.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/interval.h"
#include "core/result.h"
#include "core/types.h"

namespace harrier::bus::keys {

// ---- keys ----
std::string bars(std::string_view sym, Interval iv);        // bars:{sym}:{iv}
std::string bundle(std::string_view sym);                   // bundle:{sym}
std::string quote(std::string_view sym);                    // quote:{sym}
std::string engine_state(std::string_view sym, Side side);  // engine_state:{sym}:{side}
std::string position(std::string_view sym);                 // position:{sym}
std::string order(std::string_view client_order_id);        // order:{id}
std::string heartbeat(std::string_view role);               // heartbeat:{role}
std::string stop_state(std::string_view sym);               // stop:{sym}  (P3)
// stops:guarded: the set of symbols P3 holds an unfired stop for (P3 writes it). P1 reads it
// a few times a second and publishes every quote change of those symbols on stream:quote.
std::string stops_guarded();
// exit_fired:{sym}:{entry id}: set NX by P3 before it publishes an exit, so each position gets
// one exit_fire however often P3 restarts.
std::string exit_fired(std::string_view sym, std::string_view entry_order_id);
// paper:positions: the paper broker's own account (field per symbol), written by P2's paper
// broker; P3's watchdog compares it with position:{sym}.
std::string paper_positions();
// ib:next_order_id:{client_id}: the next TWS order id for that client id (highest used + 1),
// written before an id is sent, so a restarted role never reuses an id even when TWS hands back
// a lower nextValidId. Not a session key: it must survive teardown (order ids are per client id
// for the life of the TWS account).
std::string ib_next_order_id(std::int32_t client_id);

// bench:{what}: the keys and streams of `harrier bench`'s floor probes, which write what the
// roles write under these names instead, so no role sees them. Not session keys: the bench
// deletes them.
std::string bench(std::string_view what);

// Glob patterns matching every key a Harrier session writes (the manager removes them at
// teardown unless asked to keep them).
std::vector<std::string_view> session_key_patterns();

// Fields of bundle:{sym}: one per interval ("1s".."5m") holding the bars' bytes, plus "quote".
inline constexpr std::string_view kBundleQuoteField = "quote";
inline std::string_view bundle_field(Interval iv) { return interval_name(iv); }

// A client order id goes into a key: 1..64 bytes of printable ASCII without spaces, so it can
// never split or collide with another key. Returns kInvalidInput naming the id otherwise.
Status validate_order_id(std::string_view id);
// A role name (heartbeat:{role}): 1..32 bytes of a-z, 0-9, '-', '_'.
Status validate_role(std::string_view role);

// ---- streams and consumer groups ----
enum class Stream : std::uint8_t { kNewBar, kSweep, kEntryFire, kExitFire, kAlert, kQuote };
inline constexpr std::array<Stream, 6> kAllStreams = {Stream::kNewBar,    Stream::kSweep,
                                                      Stream::kEntryFire, Stream::kExitFire,
                                                      Stream::kAlert,     Stream::kQuote};

std::string_view stream_name(Stream s);  // "stream:new_bar", ...

inline constexpr std::string_view kGroupExecute = "execute";
inline constexpr std::string_view kGroupTelemetry = "telemetry";

}  // namespace harrier::bus::keys
