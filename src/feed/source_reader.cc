#include "feed/source_reader.h"

#include <algorithm>
#include <utility>

namespace harrier::feed {
namespace {

constexpr std::size_t kMaxQuotedField = 64;  // longer offending fields are cut in messages

std::string describe(const Reject& why) {
  std::string s(reject_reason_name(why.reason));
  s += ": ";
  s += why.message;
  if (!why.field.empty()) {
    s += " '";
    s += why.field.substr(0, kMaxQuotedField);
    if (why.field.size() > kMaxQuotedField) s += "...";
    s += "'";
  }
  return s;
}

}  // namespace

bool SourceContext::symbol_passes(std::string_view name) const {
  return symbol_filter.empty() ||
         std::find(symbol_filter.begin(), symbol_filter.end(), name) != symbol_filter.end();
}

std::string symbol_from_file_name(std::string_view path) {
  std::size_t slash = path.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::size_t us = base.find('_');
  if (us == std::string_view::npos) return {};
  std::string sym(base.substr(0, us));
  for (char& c : sym) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return sym;
}

Result<std::unique_ptr<SourceReader>> SourceReader::open(std::unique_ptr<ByteSource> bytes,
                                                         std::string name, std::string symbol,
                                                         SourceContext& ctx,
                                                         std::size_t buffer_bytes) {
  LineReader lines(std::move(bytes), buffer_bytes);
  Line header;
  HARRIER_ASSIGN_OR_RETURN(bool have, lines.next(header));
  if (!have) return invalid_input(name + ": empty file (no header line)");
  std::optional<Format> format = detect_format(header.text);
  if (!format) {
    return invalid_input(name + ":1: unknown header '" + std::string(header.text.substr(0, 200)) +
                         "' (expected the canonical tick CSV, LEAN trades or LEAN quotes "
                         "header; see docs/replay-formats.md)");
  }
  std::unique_ptr<SourceReader> r(new SourceReader(std::move(lines), name, *format, ctx));
  if (!format_needs_symbol(*format)) {
    if (!symbol.empty()) {
      return invalid_input(name + ": a symbol ('" + symbol +
                           "') was given for a file that has a symbol column");
    }
    return r;
  }
  if (symbol.empty()) symbol = symbol_from_file_name(name);
  if (symbol.empty()) {
    return invalid_input(name + ": " + std::string(format_name(*format)) +
                         " has no symbol column: give the source a symbol or name the file "
                         "SYMBOL_...");
  }
  if (Status s = SymbolTable::validate(symbol); !s) return std::move(s).error().with_context(name);
  if (ctx.symbol_passes(symbol)) {
    HARRIER_ASSIGN_OR_RETURN(r->fixed_symbol_, ctx.symbols.intern(symbol));
  } else {
    r->fixed_symbol_ = kFiltered;
    r->done_ = true;  // nothing in this file can pass the filter: do not read it
  }
  return r;
}

Status SourceReader::reject(std::uint64_t line_no, const Reject& why) {
  ++ctx_.stats.rejected[static_cast<std::size_t>(why.reason)];
  std::string text = name_ + ":" + std::to_string(line_no) + ": " + describe(why);
  if (ctx_.strict) {
    ctx_.stats.last_reject = text;
    return invalid_input(std::move(text));
  }
  if (ctx_.reject_log.allow(ctx_.clock->mono_ns())) {
    log::warn("feed", "rejected line {} ({} more since the last report)", text,
              ctx_.reject_log.suppressed());
  }
  ctx_.stats.last_reject = std::move(text);
  return ok();
}

std::optional<SymbolId> SourceReader::resolve(std::string_view name) {
  if (last_id_ != kNoSymbol && name == last_name_) return last_id_;
  SymbolId id;
  if (auto it = symbol_cache_.find(name); it != symbol_cache_.end()) {
    id = it->second;
  } else {
    if (!SymbolTable::validate(name)) return std::nullopt;
    if (ctx_.symbol_passes(name)) {
      auto interned = ctx_.symbols.intern(name);
      if (!interned) return std::nullopt;
      id = *interned;
    } else {
      id = kFiltered;
    }
    symbol_cache_.emplace(std::string(name), id);
  }
  last_name_.assign(name);
  last_id_ = id;
  return id;
}

Result<bool> SourceReader::next(Tick& out) {
  Line line;
  DecodedRow row;
  while (!done_) {
    HARRIER_ASSIGN_OR_RETURN(bool more, lines_.next(line));
    if (!more) break;
    if (line.text.empty() && !line.too_long) continue;  // blank lines carry nothing
    ++ctx_.stats.lines;
    if (line.too_long) {
      HARRIER_TRY(reject(line.number, Reject{RejectReason::kMalformed, "line too long", {}}));
      continue;
    }
    if (auto why = decode_line(format_, line.text, row)) {
      HARRIER_TRY(reject(line.number, *why));
      continue;
    }
    SymbolId id = fixed_symbol_;
    if (format_ == Format::kCanonical) {
      std::optional<SymbolId> got = resolve(row.symbol);
      if (!got) {
        HARRIER_TRY(
            reject(line.number, Reject{RejectReason::kMalformed, "bad symbol", row.symbol}));
        continue;
      }
      id = *got;
    }
    TimestampNs ts = row.tick.ts_ns;
    if (have_high_ && ts < high_ns_ - ctx_.backwards_tolerance_ns) {
      HARRIER_TRY(reject(line.number, Reject{RejectReason::kTimeBackwards,
                                             "earlier than the latest by more than the tolerance",
                                             line.text.substr(0, line.text.find(','))}));
      continue;
    }
    if (!have_high_ || ts > high_ns_) high_ns_ = ts;
    have_high_ = true;
    if (id == kFiltered || (ctx_.from_ns && ts < *ctx_.from_ns) ||
        (ctx_.to_ns && ts >= *ctx_.to_ns)) {
      ++ctx_.stats.filtered;
      // Once the latest time is past `to` by the tolerance, every later line is either too
      // far back (rejected) or at/after `to` (filtered): stop reading.
      if (ctx_.to_ns && high_ns_ - ctx_.backwards_tolerance_ns >= *ctx_.to_ns) done_ = true;
      continue;
    }
    row.tick.symbol = id;
    out = row.tick;
    return true;
  }
  done_ = true;
  return false;
}

}  // namespace harrier::feed
