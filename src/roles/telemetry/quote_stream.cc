#include "roles/telemetry/quote_stream.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "bus/events.h"
#include "bus/keys.h"

namespace harrier::roles::telemetry {

namespace {

constexpr std::string_view kTag = "quotes";

std::string_view entry_fire_stream() {
  return bus::keys::stream_name(bus::keys::Stream::kEntryFire);
}
std::string_view quote_stream() { return bus::keys::stream_name(bus::keys::Stream::kQuote); }

}  // namespace

Status ensure_loop_groups(bus::Connection& c) {
  HARRIER_TRY(bus::ensure_group(c, entry_fire_stream(), bus::keys::kGroupTelemetry, "0"));
  return bus::ensure_group(c, quote_stream(), bus::keys::kGroupTelemetry, "$");
}

Result<LoopRead> parse_loop_read(const bus::Reply& r) {
  LoopRead out;
  if (r.is_nil()) return out;  // the block timed out
  auto fail = [](const Error& e) { return Error(e).with_context("XREADGROUP reply"); };
  if (auto s = r.array(); !s) return fail(s.error());
  for (std::size_t i = 0; i < r.size(); ++i) {
    const bus::ReplyView pair = r.at(i);
    if (auto s = pair.array(); !s) return fail(s.error());
    if (pair.size() != 2) return fail(protocol_error("stream reply without [name, entries]"));
    auto name = pair.at(0).string();
    if (!name) return fail(name.error());
    std::vector<bus::StreamEntry>* dst = nullptr;
    if (*name == entry_fire_stream()) dst = &out.entry_fire;
    if (*name == quote_stream()) dst = &out.quote;
    if (dst == nullptr) continue;  // a stream not asked for: not ours to read
    auto entries = bus::parse_entries(pair.at(1));
    if (!entries) return Error(entries.error()).with_context(std::string(*name));
    *dst = std::move(entries).value();
  }
  return out;
}

Result<LoopRead> read_loop_streams(bus::Connection& c, bus::CommandBatch& batch,
                                   std::vector<bus::Reply>& replies, std::string_view consumer,
                                   std::size_t count, std::int64_t block_ms, const Clock& wall) {
  const std::string count_text = std::to_string(count), block_text = std::to_string(block_ms);
  const DurationNs timeout = block_ms * kNsPerMs + c.config().command_timeout_ns;
  batch.add({"XREADGROUP", "GROUP", bus::keys::kGroupTelemetry, consumer, "COUNT", count_text,
             "BLOCK", block_text, "STREAMS", entry_fire_stream(), quote_stream(), ">", ">"});
  HARRIER_TRY(c.run(batch, replies, timeout));
  const TimestampNs reply_wall_ns = wall.now_ns();
  const std::size_t last = batch.size() - 1;
  HARRIER_TRY(bus::check_reply(replies[last].view(), batch.describe(last)));
  HARRIER_ASSIGN_OR_RETURN(LoopRead out, parse_loop_read(replies[last]));
  out.reply_wall_ns = reply_wall_ns;
  return out;
}

QuoteStream::QuoteStream(bus::Connection& conn, StopMonitor& stops, QuoteStreamMetrics m,
                         const Clock& clock)
    : conn_(conn), stops_(stops), m_(m), clock_(clock) {}

Status QuoteStream::handle(const std::vector<bus::StreamEntry>& entries,
                           TimestampNs reply_wall_ns) {
  for (const bus::StreamEntry& e : entries) {
    m_.entries->add();
    unacked_.push_back(e.id);
    if (e.deleted) continue;  // trimmed away while pending: nothing to apply
    auto q = bus::decode_quote_event(e.fields);
    if (!q) {
      m_.bad_inputs->add();
      if (bad_log_.allow(clock_.mono_ns())) {
        log::warn(kTag, "{} {}: skipped ({} more suppressed): {}", quote_stream(), e.id,
                  bad_log_.suppressed(), q.error().to_string());
      }
      continue;
    }
    if (!stops_.apply_quote(*q, reply_wall_ns)) {
      m_.ignored->add();
      // P1 publishes a symbol from its entry fill on (with the changes since the fill), often
      // before this P3 has opened the stop: keep every such change for catch_up(), the entries
      // that came first as the earlier changes of the newest.
      auto [it, fresh] = early_.try_emplace(q->sym);
      bus::QuoteEvent& kept = it->second;
      if (fresh || kept.ts_ns == 0) {
        kept = std::move(*q);
      } else if (q->ts_ns >= kept.ts_ns) {
        kept.path.push_back(kept.point());
        kept.path.insert(kept.path.end(), q->path.begin(), q->path.end());
        q->path = std::move(kept.path);
        kept = std::move(*q);
        keep_recent(kept.path, kept.ts_ns);
      }
    }
  }
  return stops_.fire_pending();
}

void QuoteStream::keep_recent(std::vector<bus::QuotePoint>& path, TimestampNs newest_ns) {
  // A symbol P1 publishes without a stop here (one whose stop fired, until P3 drops it from
  // stops:guarded) gathers changes until its next position: keep the last kEarlyWindowNs of
  // them (a fill is milliseconds old when its stop opens), at most kEarlyMaxPath. Pruned in
  // steps, so each change is moved O(1) times.
  if (path.size() < kEarlyPrune) return;
  auto old_end = std::find_if(path.begin(), path.end(), [&](const bus::QuotePoint& p) {
    return p.ts_ns >= newest_ns - kEarlyWindowNs;
  });
  const auto over = static_cast<std::ptrdiff_t>(path.size()) - kEarlyMaxPath;
  if (old_end - path.begin() < over) old_end = path.begin() + over;
  path.erase(path.begin(), old_end);
}

void QuoteStream::catch_up(std::string_view sym, TimestampNs entry_ts_ns) {
  auto it = early_.find(sym);
  if (it == early_.end()) return;
  bus::QuoteEvent q = std::move(it->second);
  early_.erase(it);
  // Only a quote from after the fill concerns this position (an older one may belong to an
  // earlier position of the symbol, or to before the price the stop starts from).
  if (q.ts_ns < entry_ts_ns) return;
  std::erase_if(q.path, [&](const bus::QuotePoint& p) { return p.ts_ns < entry_ts_ns; });
  // Seen now: only now does this P3 hold the stop and the quote together. (The read time of
  // the entries kept was the first one's, often seconds old for a symbol published between
  // two positions, which made stop_to_exit_us read ~1 s for such exits.)
  stops_.apply_quote(q, clock_.now_ns());
}

void QuoteStream::stage(bus::CommandBatch& batch) {
  if (!unacked_.empty() && !stops_.fire_due()) {
    acking_ = std::move(unacked_);
    unacked_.clear();
    ack_index_ = batch.size();
    batch.begin();
    batch.arg("XACK");
    batch.arg(quote_stream());
    batch.arg(bus::keys::kGroupTelemetry);
    for (const std::string& id : acking_) batch.arg(id);
  }
  stops_.stage_save(batch);
}

Status QuoteStream::finish(const bus::CommandBatch& batch, std::span<const bus::Reply> replies) {
  Status st = ok();
  if (!acking_.empty()) {
    if (replies.size() <= ack_index_) {
      st = unavailable("XACK stream:quote: no reply");
    } else {
      st = bus::check_reply(replies[ack_index_].view(), batch.describe(ack_index_));
    }
    if (!st) {  // acknowledged again with the next ones (XACK of an acknowledged id is a no-op)
      acking_.insert(acking_.end(), std::make_move_iterator(unacked_.begin()),
                     std::make_move_iterator(unacked_.end()));
      unacked_ = std::move(acking_);
    }
    acking_.clear();
  }
  Status saved = stops_.finish_save(batch, replies);
  return st ? saved : st;
}

Status QuoteStream::flush() {
  HARRIER_TRY(stops_.fire_pending());  // the exit first: it is what the quote was waited for
  if (!unacked_.empty()) {
    HARRIER_TRY(bus::ack(conn_, quote_stream(), bus::keys::kGroupTelemetry, unacked_));
    unacked_.clear();
  }
  return stops_.save();
}

}  // namespace harrier::roles::telemetry
