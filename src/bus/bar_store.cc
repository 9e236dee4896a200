#include "bus/bar_store.h"

#include "bus/keys.h"
#include "core/clock.h"
#include "core/text.h"

namespace harrier::bus {

std::string encode_quote(const QuoteSnapshot& q) {
  std::string s;
  s.reserve(96);
  for (double v : {q.bid, q.ask, q.bid_size, q.ask_size, q.last}) {
    text::append_double(s, v);
    s.push_back(',');
  }
  text::append_int(s, q.ts_ns);
  return s;
}

Result<QuoteSnapshot> decode_quote(std::string_view t) {
  std::string_view parts[7];
  std::size_t n = text::split_csv(t, parts, 6);
  if (n != 6) {
    return invalid_input("quote '" + std::string(t.substr(0, 80)) + "': expected 6 fields, got " +
                         std::to_string(n));
  }
  QuoteSnapshot q;
  double* dst[] = {&q.bid, &q.ask, &q.bid_size, &q.ask_size, &q.last};
  static constexpr const char* kNames[] = {"bid", "ask", "bid_size", "ask_size", "last"};
  for (std::size_t i = 0; i < 5; ++i) {
    auto d = text::parse_double(parts[i]);
    if (!d) return invalid_input("quote field '" + std::string(kNames[i]) + "' is not a number");
    *dst[i] = *d;
  }
  auto ts = text::parse_int(parts[5]);
  if (!ts) return invalid_input("quote field 'ts_ns' is not an integer");
  q.ts_ns = *ts;
  return q;
}

void append_seal(CommandBatch& batch, const Seal& seal, EncodedSeal& enc, std::size_t stream_maxlen,
                 TimestampNs published_ns, std::string_view announce_on) {
  if (published_ns == 0) published_ns = SystemClock::instance().now_ns();
  enc.bars_key = keys::bars(seal.sym, seal.iv);
  enc.bundle_key = keys::bundle(seal.sym);
  enc.quote_key = keys::quote(seal.sym);
  enc.quote_text = encode_quote(seal.quote);
  const QuoteSnapshot& q = seal.quote;
  double vals[] = {q.bid, q.ask, q.bid_size, q.ask_size, q.last};
  for (std::size_t i = 0; i < 5; ++i) {
    enc.quote_fields[i].clear();
    text::append_double(enc.quote_fields[i], vals[i]);
  }
  enc.quote_fields[5].clear();
  text::append_int(enc.quote_fields[5], q.ts_ns);
  enc.maxlen_text = std::to_string(stream_maxlen);
  std::int64_t nums[] = {seal.bar_start_ns, seal.seq, seal.sealed_ns, published_ns};
  for (std::size_t i = 0; i < 4; ++i) {
    enc.event_numbers[i].clear();
    text::append_int(enc.event_numbers[i], nums[i]);
  }
  std::string_view iv = interval_name(seal.iv);

  auto bars = [&] {
    if (seal.bars_pieces) {
      batch.arg_pieces(*seal.bars_pieces);
    } else {
      batch.arg(seal.bars);
    }
  };
  batch.add({"MULTI"});
  batch.begin();
  batch.arg("SET");
  batch.arg(enc.bars_key);
  bars();
  batch.begin();
  batch.arg("HSET");
  batch.arg(enc.bundle_key);
  batch.arg(iv);
  bars();
  batch.arg(keys::kBundleQuoteField);
  batch.arg(enc.quote_text);
  batch.add({"HSET", enc.quote_key, "bid", enc.quote_fields[0], "ask", enc.quote_fields[1],
             "bid_size", enc.quote_fields[2], "ask_size", enc.quote_fields[3], "last",
             enc.quote_fields[4], "ts_ns", enc.quote_fields[5]});
  if (announce_on.empty()) announce_on = keys::stream_name(keys::Stream::kNewBar);
  batch.add({"XADD", announce_on, "MAXLEN", "~", enc.maxlen_text, "*", "sym", seal.sym, "iv", iv,
             "bar_start_ns", enc.event_numbers[0], "seq", enc.event_numbers[1], "sealed_ns",
             enc.event_numbers[2], "published_ns", enc.event_numbers[3]});
  batch.add({"TIME"});
  batch.add({"EXEC"});
}

Status check_seal_replies(const std::vector<Reply>& replies, std::size_t first,
                          const CommandBatch& batch) {
  if (first + kCommandsPerSeal > replies.size()) {
    return internal_error("seal replies missing: have " + std::to_string(replies.size()));
  }
  // A command refused at queue time (ACL, syntax) makes EXEC fail with EXECABORT; report the
  // refused command, which names the key, rather than the abort.
  for (std::size_t i = first; i < first + kCommandsPerSeal - 1; ++i) {
    HARRIER_TRY(check_reply(replies[i].view(), batch, i));
  }
  for (std::size_t i = first + 1; i < first + kCommandsPerSeal - 1; ++i) {
    if (auto s = expect_status(replies[i].view(), "QUEUED"); !s) {
      return Error(s.error()).with_context(batch.describe(i));
    }
  }
  const std::size_t exec = first + kCommandsPerSeal - 1;
  HARRIER_TRY(check_reply(replies[exec].view(), "EXEC"));
  const Reply& r = replies[exec];
  if (r.is_nil()) return unavailable("EXEC: transaction aborted");
  if (auto s = r.array(); !s) return Error(s.error()).with_context("EXEC");
  if (r.size() != kCommandsPerSeal - 2) {
    return protocol_error("EXEC returned " + std::to_string(r.size()) + " replies, expected " +
                          std::to_string(kCommandsPerSeal - 2));
  }
  for (std::size_t i = 0; i < r.size(); ++i) {
    HARRIER_TRY(check_reply(r.at(i), batch, first + 1 + i));
  }
  return ok();
}

Result<TimestampNs> seal_server_time(const std::vector<Reply>& replies, std::size_t first) {
  const std::size_t exec = first + kCommandsPerSeal - 1;
  if (exec >= replies.size() || !replies[exec].array() || replies[exec].size() == 0) {
    return protocol_error("seal: no EXEC reply to take TIME from");
  }
  const ReplyView time = replies[exec].at(replies[exec].size() - 1);
  if (!time.array() || time.size() != 2) {
    return protocol_error("seal: TIME reply is not [seconds, microseconds]");
  }
  std::int64_t parts[2] = {0, 0};
  for (std::size_t i = 0; i < 2; ++i) {
    auto text = time.at(i).string();
    if (!text) return Error(text.error()).with_context("seal: TIME");
    auto v = text::parse_int(*text);
    if (!v || *v < 0) {
      return protocol_error("seal: TIME part is not a count: " + std::string(*text));
    }
    parts[i] = *v;
  }
  return parts[0] * kNsPerSec + parts[1] * kNsPerUs;
}

Status write_seal(Connection& c, const Seal& seal, std::size_t stream_maxlen) {
  CommandBatch batch;
  EncodedSeal enc;
  append_seal(batch, seal, enc, stream_maxlen);
  std::vector<Reply> replies;
  HARRIER_TRY(c.run(batch, replies));
  return check_seal_replies(replies, 0, batch);
}

Result<std::optional<std::string>> read_interval(Connection& c, std::string_view sym, Interval iv) {
  std::string key = keys::bars(sym, iv);
  HARRIER_ASSIGN_OR_RETURN(Reply r, c.command({"GET", key}));
  auto v = copy_string_or_nil(r.view());
  if (!v) return Error(v.error()).with_context("GET " + key);
  return v;
}

Result<bool> read_interval_into(Connection& c, std::string_view sym, Interval iv,
                                std::string& out) {
  std::string key = keys::bars(sym, iv);
  HARRIER_ASSIGN_OR_RETURN(Reply r, c.command({"GET", key}));
  auto v = r.string_or_nil();
  if (!v) return Error(v.error()).with_context("GET " + key);
  if (!v->has_value()) {
    out.clear();
    return false;
  }
  out.assign(v->value());
  return true;
}

bool Bundle::empty() const {
  for (const auto& b : bars) {
    if (b) return false;
  }
  return !quote.has_value();
}

namespace {

// One field of bundle:{sym} into `out`: the quote, or an interval's window (a view into the
// reply's bytes, which stay where they are when the reply moves into `out`). A field this
// version does not know is skipped.
Status put_bundle_field(Bundle& out, std::string_view name, std::string_view value) {
  if (name == keys::kBundleQuoteField) {
    HARRIER_ASSIGN_OR_RETURN(out.quote, decode_quote(value));
  } else if (auto iv = parse_interval(name)) {
    out.bars[index_of(*iv)] = value;
  }
  return ok();
}

// The Bundle of a reply to `command` (HGETALL: field/value pairs; HMGET quote <intervals...>:
// one value per field asked, nil when absent), taking the reply over.
Result<Bundle> parse_bundle(Reply r, std::string_view command, const std::string& key,
                            std::span<const Interval> intervals) {
  const std::string what = std::string(command) + " " + key;
  auto ctx = [&](const Error& e) { return Error(e).with_context(what); };
  if (r.view().is_error()) return check_reply(r.view(), what).error();
  if (auto s = r.array(); !s) return ctx(s.error());
  const bool pairs = intervals.empty();
  if (pairs && r.size() % 2 != 0) return ctx(protocol_error("odd number of field/value items"));
  if (!pairs && r.size() != intervals.size() + 1) {
    return ctx(protocol_error("HMGET: wrong number of values"));
  }
  Bundle out;
  const std::size_t n = pairs ? r.size() / 2 : r.size();
  for (std::size_t i = 0; i < n; ++i) {
    ReplyView v = r.at(pairs ? 2 * i + 1 : i);
    std::string_view name;
    if (pairs) {
      auto got = r.at(2 * i).string();
      if (!got) return ctx(got.error());
      name = *got;
    } else {
      if (v.is_nil()) continue;
      name = i == 0 ? keys::kBundleQuoteField : keys::bundle_field(intervals[i - 1]);
    }
    auto value = v.string();
    if (!value) return ctx(value.error());
    if (auto st = put_bundle_field(out, name, *value); !st) return ctx(st.error());
  }
  out.reply = std::move(r);
  return out;
}

}  // namespace

Result<Bundle> read_bundle(Connection& c, std::string_view sym) {
  std::string key = keys::bundle(sym);
  HARRIER_ASSIGN_OR_RETURN(Reply r, c.command({"HGETALL", key}));
  return parse_bundle(std::move(r), "HGETALL", key, {});
}

Result<std::vector<Result<Bundle>>> read_bundles(Connection& c,
                                                 std::span<const std::string_view> syms,
                                                 std::span<const Interval> intervals) {
  std::vector<std::string> names;  // the batch borrows them
  names.reserve(syms.size());
  for (std::string_view sym : syms) names.push_back(keys::bundle(sym));
  const bool some = !intervals.empty() && intervals.size() < kIntervalCount;
  CommandBatch batch;
  for (const std::string& key : names) {
    if (!some) {
      batch.add({"HGETALL", key});
      continue;
    }
    batch.begin();
    batch.arg("HMGET");
    batch.arg(key);
    batch.arg(keys::kBundleQuoteField);
    for (Interval iv : intervals) batch.arg(keys::bundle_field(iv));
  }
  std::vector<Reply> replies;
  HARRIER_TRY(c.run(batch, replies));
  std::vector<Result<Bundle>> out;
  out.reserve(replies.size());
  for (std::size_t i = 0; i < replies.size(); ++i) {
    out.push_back(some ? parse_bundle(std::move(replies[i]), "HMGET", names[i], intervals)
                       : parse_bundle(std::move(replies[i]), "HGETALL", names[i], {}));
  }
  return out;
}

}  // namespace harrier::bus
