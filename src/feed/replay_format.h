// The replay file formats (docs/replay-formats.md) and the decoder from one text line to one
// validated Tick. Parsing only: no I/O, no allocation, no state (STYLE B11.3). The caller
// resolves symbols, checks time order and reports rejections. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "feed/feed.h"
#include "market/tick.h"

namespace harrier::feed {

enum class Format : std::uint8_t {
  kCanonical,   // ts_ns,symbol,event,price,size,bid_price,bid_size,ask_price,ask_size,venue
  kLeanTrades,  // ts_ns,price,size,exchange,condition_hex,suspicious
  kLeanQuotes,  // ts_ns,bid_px,bid_sz,ask_px,ask_sz,exchange,condition_hex,suspicious
};

std::string_view format_name(Format format);
// The exact header line of each format.
std::string_view format_header(Format format);
// True when the format has no symbol column (the symbol comes from the source).
inline bool format_needs_symbol(Format f) { return f != Format::kCanonical; }

// Identifies a format from its header line (a UTF-8 BOM and a trailing CR are ignored).
// Returns nullopt for an unknown header.
std::optional<Format> detect_format(std::string_view header);

// Why a line was rejected. `message` is static text; `field` views the offending text inside
// the line (valid as long as the line), empty when there is no single field to blame.
struct Reject {
  RejectReason reason;
  std::string_view message;
  std::string_view field;
};

struct DecodedRow {
  Tick tick;                // symbol is kNoSymbol: the caller sets it
  std::string_view symbol;  // kCanonical: the row's symbol text; LEAN formats: empty
};

// Decodes one data line of `format` into `out` and validates it. Returns nullopt on success,
// else why the line is bad; `out` is then unspecified.
std::optional<Reject> decode_line(Format format, std::string_view line, DecodedRow& out);

// The checks every Tick must pass before it leaves a feed, whatever its source: a trade has a
// finite positive price and a non-negative size; a quote has at least one side, each present
// side a finite positive price and a non-negative size, each absent side (NaN price) size 0,
// and bid <= ask when both are present. Returns nullopt when the tick is good.
std::optional<Reject> validate_tick(const Tick& tick);

// One-letter venue code for a canonical-format venue: an ISO 10383 MIC used by the tick
// generator (XNAS -> 'Q', ARCX -> 'P', ...), or a single letter kept as is. 0 when unknown.
char venue_code(std::string_view venue);

}  // namespace harrier::feed
