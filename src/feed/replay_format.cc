#include "feed/replay_format.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "core/text.h"
#include "feed/lean_conditions.h"

namespace harrier::feed {
namespace {

constexpr std::string_view kCanonicalHeader =
    "ts_ns,symbol,event,price,size,bid_price,bid_size,ask_price,ask_size,venue";
constexpr std::string_view kLeanTradesHeader = "ts_ns,price,size,exchange,condition_hex,suspicious";
constexpr std::string_view kLeanQuotesHeader =
    "ts_ns,bid_px,bid_sz,ask_px,ask_sz,exchange,condition_hex,suspicious";

constexpr std::size_t kCanonicalFields = 10;
constexpr std::size_t kLeanTradeFields = 6;
constexpr std::size_t kLeanQuoteFields = 8;
constexpr std::size_t kMaxFields = 10;

std::optional<Reject> malformed(std::string_view message, std::string_view field = {}) {
  return Reject{RejectReason::kMalformed, message, field};
}

bool finite_positive(double v) { return std::isfinite(v) && v > 0; }

std::optional<Reject> parse_ts(std::string_view text, TimestampNs& out) {
  auto v = text::parse_int(text);
  if (!v) return malformed("unparsable ts_ns", text);
  if (*v < 0) return malformed("negative ts_ns", text);
  out = *v;
  return std::nullopt;
}

std::optional<Reject> parse_price(std::string_view text, double& out) {
  auto v = text::parse_double(text);
  if (!v) return malformed("unparsable price", text);
  if (!finite_positive(*v))
    return Reject{RejectReason::kBadPrice, "price not finite positive", text};
  out = *v;
  return std::nullopt;
}

std::optional<Reject> parse_size(std::string_view text, std::int64_t& out) {
  auto v = text::parse_int(text);
  if (!v) return malformed("unparsable size", text);
  if (*v < 0) return Reject{RejectReason::kNegativeSize, "negative size", text};
  out = *v;
  return std::nullopt;
}

// One quote side: an empty price means the side is absent (its size must be empty or 0).
std::optional<Reject> parse_side(std::string_view px_text, std::string_view sz_text, double& px,
                                 std::int32_t& sz) {
  if (px_text.empty()) {
    if (!sz_text.empty() && sz_text != "0") return malformed("size without a price", sz_text);
    px = kNaN;
    sz = 0;
    return std::nullopt;
  }
  if (auto r = parse_price(px_text, px)) return r;
  std::int64_t size = 0;
  if (auto r = parse_size(sz_text, size)) return r;
  if (size > std::numeric_limits<std::int32_t>::max()) {
    return malformed("quote size out of range", sz_text);
  }
  sz = static_cast<std::int32_t>(size);
  return std::nullopt;
}

std::optional<Reject> parse_exchange(std::string_view text, char& venue) {
  if (text.size() > 1) return malformed("exchange is not one letter", text);
  venue = text.empty() ? '\0' : text[0];
  return std::nullopt;
}

std::optional<Reject> parse_condition(std::string_view text, std::uint32_t& out) {
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out, 16);
  if (text.empty() || ec != std::errc() || p != end) {
    return malformed("unparsable condition_hex", text);
  }
  return std::nullopt;
}

std::optional<Reject> parse_flag(std::string_view text, bool& out) {
  if (text == "0" || text == "1") {
    out = text == "1";
    return std::nullopt;
  }
  return malformed("suspicious is not 0 or 1", text);
}

std::optional<Reject> decode_canonical(const std::string_view* f, DecodedRow& out) {
  Tick& t = out.tick;
  TimestampNs ts = 0;
  if (auto r = parse_ts(f[0], ts)) return r;
  out.symbol = f[1];
  if (f[2] == "trade") {
    double px = 0;
    std::int64_t sz = 0;
    if (auto r = parse_price(f[3], px)) return r;
    if (auto r = parse_size(f[4], sz)) return r;
    t = Tick::trade(kNoSymbol, ts, px, sz);
  } else if (f[2] == "quote") {
    double bid = kNaN, ask = kNaN;
    std::int32_t bid_sz = 0, ask_sz = 0;
    if (auto r = parse_side(f[5], f[6], bid, bid_sz)) return r;
    if (auto r = parse_side(f[7], f[8], ask, ask_sz)) return r;
    t = Tick::quote(kNoSymbol, ts, bid, bid_sz, ask, ask_sz);
  } else {
    return malformed("unknown event", f[2]);
  }
  t.venue = venue_code(f[9]);
  return validate_tick(t);
}

std::optional<Reject> decode_lean_trade(const std::string_view* f, DecodedRow& out) {
  TimestampNs ts = 0;
  double px = 0;
  std::int64_t sz = 0;
  char venue = 0;
  std::uint32_t cond = 0;
  bool suspicious = false;
  if (auto r = parse_ts(f[0], ts)) return r;
  if (auto r = parse_price(f[1], px)) return r;
  if (auto r = parse_size(f[2], sz)) return r;
  if (auto r = parse_exchange(f[3], venue)) return r;
  if (auto r = parse_condition(f[4], cond)) return r;
  if (auto r = parse_flag(f[5], suspicious)) return r;
  out.tick = Tick::trade(kNoSymbol, ts, px, sz, lean_trade_flags(cond, suspicious));
  out.tick.venue = venue;
  out.symbol = {};
  return validate_tick(out.tick);
}

std::optional<Reject> decode_lean_quote(const std::string_view* f, DecodedRow& out) {
  TimestampNs ts = 0;
  double bid = kNaN, ask = kNaN;
  std::int32_t bid_sz = 0, ask_sz = 0;
  char venue = 0;
  std::uint32_t cond = 0;
  bool suspicious = false;
  if (auto r = parse_ts(f[0], ts)) return r;
  if (auto r = parse_side(f[1], f[2], bid, bid_sz)) return r;
  if (auto r = parse_side(f[3], f[4], ask, ask_sz)) return r;
  if (auto r = parse_exchange(f[5], venue)) return r;
  if (auto r = parse_condition(f[6], cond)) return r;  // quote conditions: checked, not mapped
  if (auto r = parse_flag(f[7], suspicious)) return r;
  out.tick = Tick::quote(kNoSymbol, ts, bid, bid_sz, ask, ask_sz);
  out.tick.venue = venue;
  // The vendor's suspicious mark is kept on quotes too; no other TradeFlag applies to them.
  out.tick.flags = suspicious ? kTradeFlagSuspicious : kTradeFlagNone;
  out.symbol = {};
  return validate_tick(out.tick);
}

}  // namespace

std::string_view format_name(Format format) {
  switch (format) {
    case Format::kCanonical:
      return "canonical tick csv";
    case Format::kLeanTrades:
      return "lean trades";
    case Format::kLeanQuotes:
      return "lean quotes";
  }
  return "?";
}

std::string_view format_header(Format format) {
  switch (format) {
    case Format::kCanonical:
      return kCanonicalHeader;
    case Format::kLeanTrades:
      return kLeanTradesHeader;
    case Format::kLeanQuotes:
      return kLeanQuotesHeader;
  }
  return {};
}

std::optional<Format> detect_format(std::string_view header) {
  if (header.starts_with("\xEF\xBB\xBF")) header.remove_prefix(3);
  if (header.ends_with('\r')) header.remove_suffix(1);
  for (Format f : {Format::kCanonical, Format::kLeanTrades, Format::kLeanQuotes}) {
    if (header == format_header(f)) return f;
  }
  return std::nullopt;
}

std::optional<Reject> decode_line(Format format, std::string_view line, DecodedRow& out) {
  std::string_view fields[kMaxFields];
  std::size_t want = format == Format::kCanonical    ? kCanonicalFields
                     : format == Format::kLeanTrades ? kLeanTradeFields
                                                     : kLeanQuoteFields;
  if (text::split_csv(line, fields, want) != want) return malformed("wrong field count");
  switch (format) {
    case Format::kCanonical:
      return decode_canonical(fields, out);
    case Format::kLeanTrades:
      return decode_lean_trade(fields, out);
    case Format::kLeanQuotes:
      return decode_lean_quote(fields, out);
  }
  return malformed("unknown format");
}

std::optional<Reject> validate_tick(const Tick& t) {
  if (t.kind == TickKind::kTrade) {
    if (!finite_positive(t.price)) return Reject{RejectReason::kBadPrice, "trade price", {}};
    if (t.size < 0) return Reject{RejectReason::kNegativeSize, "trade size", {}};
    return std::nullopt;
  }
  bool has_bid = !std::isnan(t.bid);
  bool has_ask = !std::isnan(t.ask);
  if (!has_bid && !has_ask) return malformed("quote has neither side");
  if (has_bid && !finite_positive(t.bid)) return Reject{RejectReason::kBadPrice, "bid", {}};
  if (has_ask && !finite_positive(t.ask)) return Reject{RejectReason::kBadPrice, "ask", {}};
  if (t.bid_size < 0 || t.ask_size < 0) {
    return Reject{RejectReason::kNegativeSize, "quote size", {}};
  }
  if ((!has_bid && t.bid_size != 0) || (!has_ask && t.ask_size != 0)) {
    return malformed("size on an absent quote side");
  }
  if (has_bid && has_ask && t.bid > t.ask) {
    return Reject{RejectReason::kCrossedQuote, "bid above ask", {}};
  }
  return std::nullopt;
}

char venue_code(std::string_view venue) {
  struct Mic {
    std::string_view mic;
    char code;
  };
  // Letters as in LEAN's exchange table (Data/equity/readme.md); IEX and MEMX use their SIP
  // participant ids (V, U), which that table predates.
  static constexpr Mic kMics[] = {
      {"XNAS", 'Q'}, {"XNYS", 'N'}, {"ARCX", 'P'}, {"BATS", 'Z'},
      {"EDGX", 'K'}, {"IEXG", 'V'}, {"MEMX", 'U'}, {"XCHI", 'M'},
  };
  if (venue.size() == 1 && venue[0] >= 'A' && venue[0] <= 'Z') return venue[0];
  for (const Mic& m : kMics) {
    if (m.mic == venue) return m.code;
  }
  return 0;
}

}  // namespace harrier::feed
