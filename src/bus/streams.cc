#include "bus/streams.h"

#include <string>
#include <unordered_set>

namespace harrier::bus {

namespace {

Result<StreamEntry> parse_entry(const ReplyView& e) {
  HARRIER_TRY(e.array());
  if (e.size() != 2)
    return protocol_error("stream entry of " + std::to_string(e.size()) + " elements, expected 2");
  StreamEntry out;
  HARRIER_ASSIGN_OR_RETURN(std::string_view id, e.at(0).string());
  out.id = std::string(id);
  ReplyView body = e.at(1);
  if (body.is_nil()) {
    out.deleted = true;
    return out;
  }
  HARRIER_TRY(body.array());
  if (body.size() % 2 != 0) {
    return protocol_error("entry " + out.id + ": odd number of field/value items");
  }
  out.fields.reserve(body.size() / 2);
  for (std::size_t i = 0; i < body.size(); i += 2) {
    HARRIER_ASSIGN_OR_RETURN(std::string_view k, body.at(i).string());
    HARRIER_ASSIGN_OR_RETURN(std::string_view v, body.at(i + 1).string());
    out.fields.emplace_back(std::string(k), std::string(v));
  }
  return out;
}

// XREADGROUP reply: nil (timeout) or [[stream, [entries]]].
Result<std::vector<StreamEntry>> parse_read(const Reply& r, std::string_view stream) {
  if (r.is_nil()) return std::vector<StreamEntry>();
  auto fail = [&](const Error& e) { return Error(e).with_context(std::string(stream)); };
  if (auto s = r.array(); !s) return fail(s.error());
  for (std::size_t i = 0; i < r.size(); ++i) {
    ReplyView pair = r.at(i);
    if (auto s = pair.array(); !s) return fail(s.error());
    if (pair.size() != 2) return fail(protocol_error("stream reply without [name, entries]"));
    auto name = pair.at(0).string();
    if (!name) return fail(name.error());
    if (*name != stream) continue;
    auto entries = parse_entries(pair.at(1));
    if (!entries) return fail(entries.error());
    return entries;
  }
  return std::vector<StreamEntry>();
}

}  // namespace

Result<std::vector<StreamEntry>> parse_entries(const ReplyView& r) {
  HARRIER_TRY(r.array());
  std::vector<StreamEntry> out;
  out.reserve(r.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    HARRIER_ASSIGN_OR_RETURN(StreamEntry e, parse_entry(r.at(i)));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::string> xadd(Connection& c, std::string_view stream, const Fields& fields,
                         std::size_t maxlen) {
  if (fields.empty()) return invalid_input(std::string(stream) + ": XADD with no fields");
  std::string maxlen_text = std::to_string(maxlen);
  std::vector<std::string_view> args;
  args.reserve(6 + 2 * fields.size());
  args.insert(args.end(), {"XADD", stream, "MAXLEN", "~", maxlen_text, "*"});
  for (const auto& [k, v] : fields) {
    args.push_back(k);
    args.push_back(v);
  }
  HARRIER_ASSIGN_OR_RETURN(Reply r, c.command(args));
  auto id = r.string();
  if (!id) return Error(id.error()).with_context(std::string(stream) + ": XADD");
  return std::string(*id);
}

Status ensure_group(Connection& c, std::string_view stream, std::string_view group,
                    std::string_view start_id) {
  auto r = c.command({"XGROUP", "CREATE", stream, group, start_id, "MKSTREAM"});
  if (r) return ok();
  if (r.error().code() == ErrorCode::kInvalidInput &&
      r.error().message().find("BUSYGROUP") != std::string::npos) {
    return ok();
  }
  return std::move(r).error();
}

Result<std::vector<StreamEntry>> read_group(Connection& c, std::string_view stream,
                                            std::string_view group, std::string_view consumer,
                                            std::size_t count, std::int64_t block_ms) {
  std::string count_text = std::to_string(count);
  std::string block_text = std::to_string(block_ms);
  std::vector<std::string_view> args = {"XREADGROUP", "GROUP", group,
                                        consumer,     "COUNT", count_text};
  DurationNs timeout = 0;
  if (block_ms > 0) {
    args.insert(args.end(), {"BLOCK", block_text});
    timeout = block_ms * kNsPerMs + c.config().command_timeout_ns;
  }
  args.insert(args.end(), {"STREAMS", stream, ">"});
  HARRIER_ASSIGN_OR_RETURN(Reply r, c.command(args, timeout));
  return parse_read(r, stream);
}

Result<std::vector<StreamEntry>> read_own_pending(Connection& c, std::string_view stream,
                                                  std::string_view group, std::string_view consumer,
                                                  std::size_t count, std::string_view after_id) {
  std::string count_text = std::to_string(count);
  HARRIER_ASSIGN_OR_RETURN(Reply r, c.command({"XREADGROUP", "GROUP", group, consumer, "COUNT",
                                               count_text, "STREAMS", stream, after_id}));
  return parse_read(r, stream);
}

Result<std::int64_t> ack(Connection& c, std::string_view stream, std::string_view group,
                         std::span<const std::string> ids) {
  if (ids.empty()) return std::int64_t{0};
  std::vector<std::string_view> args = {"XACK", stream, group};
  for (const auto& id : ids) args.push_back(id);
  HARRIER_ASSIGN_OR_RETURN(Reply r, c.command(args));
  return r.integer();
}

Result<std::vector<StreamEntry>> autoclaim(Connection& c, std::string_view stream,
                                           std::string_view group, std::string_view consumer,
                                           std::int64_t min_idle_ms, std::size_t max_entries) {
  std::vector<StreamEntry> out;
  std::string cursor = "0-0";
  std::string idle_text = std::to_string(min_idle_ms);
  for (int round = 0; round < 10'000 && out.size() < max_entries; ++round) {
    HARRIER_ASSIGN_OR_RETURN(Reply r, c.command({"XAUTOCLAIM", stream, group, consumer, idle_text,
                                                 cursor, "COUNT", "100"}));
    // Redis 7: [next_cursor, [entries], [deleted ids]]; 6.2: the first two only.
    if (auto s = r.array(); !s || r.size() < 2) {
      return protocol_error(std::string(stream) + ": XAUTOCLAIM reply is not [cursor, entries]");
    }
    HARRIER_ASSIGN_OR_RETURN(std::string_view next, r.at(0).string());
    HARRIER_ASSIGN_OR_RETURN(std::vector<StreamEntry> got, parse_entries(r.at(1)));
    for (auto& e : got) out.push_back(std::move(e));
    if (next == "0-0") break;
    cursor = std::string(next);
  }
  return out;
}

Result<std::vector<StreamEntry>> recover_pending(Connection& c, std::string_view stream,
                                                 std::string_view group, std::string_view consumer,
                                                 std::int64_t min_idle_ms) {
  std::vector<StreamEntry> out;
  std::string after = "0";
  for (;;) {  // own pending, in pages of 100
    HARRIER_ASSIGN_OR_RETURN(std::vector<StreamEntry> page,
                             read_own_pending(c, stream, group, consumer, 100, after));
    if (page.empty()) break;
    after = page.back().id;
    for (auto& e : page) out.push_back(std::move(e));
  }
  HARRIER_ASSIGN_OR_RETURN(std::vector<StreamEntry> claimed,
                           autoclaim(c, stream, group, consumer, min_idle_ms));
  std::unordered_set<std::string> seen;
  for (const auto& e : out) seen.insert(e.id);
  for (auto& e : claimed) {
    if (seen.insert(e.id).second) out.push_back(std::move(e));
  }
  std::vector<std::string> gone;
  std::vector<StreamEntry> live;
  for (auto& e : out) {
    if (e.deleted) {
      gone.push_back(e.id);
    } else {
      live.push_back(std::move(e));
    }
  }
  if (!gone.empty()) HARRIER_TRY(ack(c, stream, group, gone));
  return live;
}

}  // namespace harrier::bus
