#include "bus/io_worker.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "bus/keys.h"
#include "bus/streams.h"
#include "core/text.h"

namespace harrier::bus {

namespace {
// Bar buffers larger than kSpareMaxBytes (a window of 120 bars is ~45 KB) are not kept.
constexpr std::size_t kSpareMaxBytes = 256u << 10;
// The longest idle sleep: WakeWord waits have a timeout; the loop re-checks and sleeps again.
constexpr DurationNs kIdleWaitNs = 100 * kNsPerMs;
}  // namespace

IoWorker::IoWorker(ConnectionConfig cfg, IoWorkerOptions opts, const Clock& clock)
    : conn_(std::move(cfg), clock),
      opts_(opts),
      clock_(clock),
      queue_(std::max<std::size_t>(opts.queue_capacity, 1)),
      spare_(std::max<std::size_t>(opts.spare_buffers, 1)) {
  opts_.backlog_capacity = std::max<std::size_t>(opts_.backlog_capacity, 1);
  opts_.max_pipeline = std::max<std::size_t>(opts_.max_pipeline, 1);
  opts_.max_pipeline_items = std::max(opts_.max_pipeline_items, opts_.max_pipeline);
  enc_.resize(opts_.max_pipeline_items);
  quote_text_.resize(opts_.max_pipeline_items);
  first_reply_.resize(opts_.max_pipeline_items + 1);
  maxlen_text_ = std::to_string(opts_.stream_maxlen);
}

IoWorker::~IoWorker() { stop(0); }

void IoWorker::start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token st) { run(st); });
}

void IoWorker::stop(DurationNs grace_ns) {
  if (!thread_.joinable()) return;
  stop_deadline_mono_ns_.store(clock_.mono_ns() + grace_ns, std::memory_order_relaxed);
  stopping_.store(true, std::memory_order_release);
  signal_.wake();
  thread_.join();
}

bool IoWorker::submit(Seal seal) { return submit_item(IoItem(std::move(seal))); }

std::string IoWorker::take_buffer() {
  std::string* s = spare_.front();
  if (s == nullptr) return {};
  std::string b = std::move(*s);
  spare_.pop();
  return b;
}

void IoWorker::recycle(IoItem& item) {
  Seal* s = std::get_if<Seal>(&item);
  // A seal sent as pieces has no buffer of its own to give back.
  if (s == nullptr || s->bars_pieces || s->bars.capacity() > kSpareMaxBytes) return;
  (void)spare_.try_push(std::move(s->bars));  // full: the buffer is freed
}

bool IoWorker::submit_quote(std::string sym, const QuoteSnapshot& quote) {
  return submit_item(IoItem(QuoteWrite{std::move(sym), quote}));
}

bool IoWorker::submit_event(keys::Stream stream, Fields fields) {
  return submit_item(IoItem(EventWrite{stream, std::move(fields)}));
}

IoWorker::QuoteChange IoWorker::submit_quote_change(std::size_t slot, const QuoteEvent& change) {
  while (quote_slots_.size() <= slot) quote_slots_.emplace_back();
  QuoteSlot& q = quote_slots_[slot];
  {
    std::lock_guard lock(q.mu);
    const bool joins = q.waiting;  // the entry has not been taken: the change joins it
    QuoteChange result = joins ? QuoteChange::kJoined : QuoteChange::kQueued;
    if (!joins) {
      q.entry.path.clear();
    } else if (q.entry.path.size() < kMaxQuotePath) {
      q.entry.path.push_back(q.entry.point());  // its newest change so far, now an earlier one
    } else {
      quote_path_drops_.fetch_add(1, std::memory_order_relaxed);  // path full: that one is lost
      result = QuoteChange::kDropped;
    }
    // The change's fields; the path (and its capacity) stays the slot's.
    std::vector<QuotePoint> path = std::move(q.entry.path);
    q.entry = change;
    q.entry.path = std::move(path);
    if (joins) return result;
    q.waiting = true;
  }
  if (submit_item(IoItem(&q))) return QuoteChange::kQueued;
  std::lock_guard lock(q.mu);
  q.waiting = false;
  return QuoteChange::kDropped;
}

void IoWorker::take_quote_slot(IoItem& item) {
  QuoteSlot* const* slot = std::get_if<QuoteSlot*>(&item);
  if (slot == nullptr) return;
  QuoteSlot& q = **slot;
  QuoteEvent entry;
  {
    std::lock_guard lock(q.mu);
    // The path changes hands (the slot keeps the spare's capacity); the rest is copied.
    spare_path_.clear();
    std::swap(q.entry.path, spare_path_);
    entry = q.entry;
    q.waiting = false;
  }
  entry.path = std::move(spare_path_);
  item = IoItem(EventWrite{QuoteEvent::kStream, encode(entry)});
  spare_path_ = std::move(entry.path);  // its capacity serves the next slot taken
}

void IoWorker::release_quote_slot(IoItem& item) {
  QuoteSlot* const* slot = std::get_if<QuoteSlot*>(&item);
  if (slot == nullptr) return;
  std::lock_guard lock((*slot)->mu);
  (*slot)->waiting = false;
  (*slot)->entry.path.clear();
}

bool IoWorker::submit_item(IoItem item) {
  if (!queue_.try_push(std::move(item))) {
    queue_drops_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  submitted_.fetch_add(1, std::memory_order_relaxed);
  signal_.wake();
  return true;
}

IoWorkerStats IoWorker::stats() const {
  IoWorkerStats s;
  s.submitted = submitted_.load(std::memory_order_relaxed);
  s.queue_drops = queue_drops_.load(std::memory_order_relaxed);
  s.backlog_drops = backlog_drops_.load(std::memory_order_relaxed);
  s.written = written_.load(std::memory_order_relaxed);
  s.quotes_written = quotes_written_.load(std::memory_order_relaxed);
  s.events_written = events_written_.load(std::memory_order_relaxed);
  s.quote_path_drops = quote_path_drops_.load(std::memory_order_relaxed);
  s.rejected = rejected_.load(std::memory_order_relaxed);
  s.verified_applied = verified_applied_.load(std::memory_order_relaxed);
  s.write_failures = write_failures_.load(std::memory_order_relaxed);
  s.backlog = backlog_size_.load(std::memory_order_relaxed);
  s.backlog_bytes = backlog_bytes_.load(std::memory_order_relaxed);
  return s;
}

bool IoWorker::idle() {
  drain_queue();
  return backlog_.empty();
}

namespace {
std::size_t payload_bytes(const IoItem& item) {
  const Seal* s = std::get_if<Seal>(&item);
  return s == nullptr ? 0 : s->bars_size();
}
}  // namespace

void IoWorker::drain_queue() {
  while (IoItem* s = queue_.front()) {
    bytes_ += payload_bytes(*s);
    backlog_.push_back(std::move(*s));
    queue_.pop();
    while (backlog_.size() > 1 &&
           (backlog_.size() > opts_.backlog_capacity || bytes_ > opts_.backlog_max_bytes)) {
      bytes_ -= payload_bytes(backlog_.front());
      release_quote_slot(backlog_.front());
      backlog_.pop_front();
      if (uncertain_ > 0) --uncertain_;
      backlog_drops_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  backlog_size_.store(backlog_.size(), std::memory_order_relaxed);
  backlog_bytes_.store(bytes_, std::memory_order_relaxed);
}

int IoWorker::do_work() {
  drain_queue();
  if (backlog_.empty()) return 0;
  if (auto s = conn_.connect(); !s) {
    if (fail_log_.allow(clock_.mono_ns())) {
      log::warn("bus/io", "redis down, {} writes in backlog: {}", backlog_.size(),
                s.error().message());
    }
    return 0;
  }
  int done = 0;
  if (uncertain_ > 0) {
    std::size_t before = backlog_.size();
    if (auto s = verify_uncertain(); !s) return 0;
    done += static_cast<int>(before - backlog_.size());
  }
  done += write_pipeline();
  backlog_size_.store(backlog_.size(), std::memory_order_relaxed);
  return done;
}

Status IoWorker::verify_uncertain() {
  // The newest entries of stream:new_bar hold the events of every seal applied since; the
  // uncertain seals were the last ones sent, so a window a little larger than their count
  // covers them.
  std::string count = std::to_string(uncertain_ + 64);
  HARRIER_ASSIGN_OR_RETURN(
      Reply r, conn_.command({"XREVRANGE", keys::stream_name(keys::Stream::kNewBar), "+", "-",
                              "COUNT", count}));
  HARRIER_ASSIGN_OR_RETURN(std::vector<StreamEntry> recent, parse_entries(r.view()));
  std::vector<NewBarEvent> applied;
  for (const auto& e : recent) {
    if (auto ev = decode_new_bar(e.fields)) applied.push_back(std::move(ev).value());
  }
  std::deque<IoItem> keep;
  for (std::size_t i = 0; i < uncertain_; ++i) {
    // Quote writes are idempotent and events are at least once: send them again. A seal is
    // sent again only if its new_bar event is not in the stream (EXEC applied all or nothing).
    const Seal* seal = std::get_if<Seal>(&backlog_[i]);
    if (seal == nullptr) {
      keep.push_back(std::move(backlog_[i]));
      continue;
    }
    const Seal& s = *seal;
    bool found = std::any_of(applied.begin(), applied.end(), [&](const NewBarEvent& ev) {
      return ev.sym == s.sym && ev.iv == s.iv && ev.seq == s.seq &&
             ev.bar_start_ns == s.bar_start_ns && ev.sealed_ns == s.sealed_ns;
    });
    if (found) {
      bytes_ -= payload_bytes(backlog_[i]);
      verified_applied_.fetch_add(1, std::memory_order_relaxed);
    } else {
      keep.push_back(std::move(backlog_[i]));
    }
  }
  backlog_.erase(backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(uncertain_));
  backlog_.insert(backlog_.begin(), std::make_move_iterator(keep.begin()),
                  std::make_move_iterator(keep.end()));
  uncertain_ = 0;
  return ok();
}

namespace {
bool is_quote_entry(const IoItem& item) {
  if (std::holds_alternative<QuoteSlot*>(item)) return true;
  const EventWrite* ev = std::get_if<EventWrite>(&item);
  return ev != nullptr && ev->stream == QuoteEvent::kStream;  // taken, sent again after a cut
}

// The outcome of the k-th command of the MULTI/EXEC group that opens a pipeline (MULTI is its
// command 0), whose command sits at `cmd` and whose EXEC at `exec`: refused at queue time (ACL,
// syntax: the whole EXEC aborts), or its own reply.
Status check_grouped_reply(const std::vector<Reply>& replies, std::size_t cmd, std::size_t k,
                           std::size_t exec, const CommandBatch& batch) {
  HARRIER_TRY(check_reply(replies[0].view(), batch, 0));
  HARRIER_TRY(check_reply(replies[cmd].view(), batch, cmd));
  if (auto s = expect_status(replies[cmd].view(), "QUEUED"); !s) {
    return Error(s.error()).with_context(batch.describe(cmd));
  }
  HARRIER_TRY(check_reply(replies[exec].view(), "EXEC"));
  const Reply& r = replies[exec];
  if (r.is_nil()) return unavailable("EXEC: transaction aborted");
  if (auto s = r.array(); !s) return Error(s.error()).with_context("EXEC");
  if (k >= r.size()) {
    return protocol_error("EXEC returned " + std::to_string(r.size()) + " replies");
  }
  return check_reply(r.at(k), batch, cmd);
}
}  // namespace

int IoWorker::write_pipeline() {
  // At most max_pipeline seals and max_pipeline_items writes in all.
  std::size_t n = 0;
  for (std::size_t seals = 0; n < backlog_.size() && n < opts_.max_pipeline_items; ++n) {
    if (std::holds_alternative<Seal>(backlog_[n]) && ++seals > opts_.max_pipeline) break;
  }
  // The pipeline's stream:quote entries go first, in one MULTI/EXEC. Redis serves a blocked
  // reader after each command, so entries sent as commands of their own woke P3 with the first
  // and it read the others in a second round trip; after EXEC it gets them all in one reply.
  // Their order among themselves is kept; they touch no key the other writes touch (a seal's
  // quote goes to quote:{sym}, not the stream), so moving them ahead of those changes nothing
  // a reader can see but the time.
  std::size_t grouped = static_cast<std::size_t>(std::count_if(
      backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(n), is_quote_entry));
  if (grouped >= 2) {
    std::stable_partition(backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(n),
                          is_quote_entry);
  } else {
    grouped = 0;
  }
  batch_.clear();
  if (grouped > 0) batch_.add({"MULTI"});
  std::size_t exec_at = 0;
  const TimestampNs published_ns = clock_.now_ns();  // new_bar's publish time (wake is from it)
  for (std::size_t i = 0; i < n; ++i) {
    first_reply_[i] = batch_.size();
    IoItem& item = backlog_[i];
    take_quote_slot(item);
    if (const Seal* seal = std::get_if<Seal>(&item)) {
      append_seal(batch_, *seal, enc_[i], opts_.stream_maxlen, published_ns);
    } else if (const QuoteWrite* qw = std::get_if<QuoteWrite>(&item)) {
      auto& t = quote_text_[i];
      t[0] = keys::quote(qw->sym);
      const QuoteSnapshot& q = qw->quote;
      const double vals[5] = {q.bid, q.ask, q.bid_size, q.ask_size, q.last};
      for (int k = 0; k < 5; ++k) {
        t[static_cast<std::size_t>(k) + 1].clear();
        text::append_double(t[static_cast<std::size_t>(k) + 1], vals[k]);
      }
      t[6].clear();
      text::append_int(t[6], q.ts_ns);
      batch_.add({"HSET", t[0], "bid", t[1], "ask", t[2], "bid_size", t[3], "ask_size", t[4],
                  "last", t[5], "ts_ns", t[6]});
    } else {
      const EventWrite& ev = std::get<EventWrite>(item);
      batch_.begin();
      batch_.arg("XADD");
      batch_.arg(keys::stream_name(ev.stream));
      batch_.arg("MAXLEN");
      batch_.arg("~");
      batch_.arg(maxlen_text_);
      batch_.arg("*");
      for (const auto& [f, v] : ev.fields) {
        batch_.arg(f);
        batch_.arg(v);
      }
    }
    if (i + 1 == grouped) {  // the group's last entry
      exec_at = batch_.size();
      batch_.add({"EXEC"});
    }
  }
  first_reply_[n] = batch_.size();
  Status sent = conn_.run(batch_, replies_);
  // A grouped entry is done with its EXEC's reply; every other item with its last own reply.
  std::size_t complete = 0;
  if (grouped > 0) complete = replies_.size() > exec_at ? grouped : 0;
  if (complete == grouped) {
    while (complete < n && replies_.size() >= first_reply_[complete + 1]) ++complete;
  }
  int done = 0;
  for (std::size_t i = 0; i < complete; ++i) {
    const IoItem& item = backlog_[i];
    Status st = ok();
    if (i < grouped) {
      st = check_grouped_reply(replies_, first_reply_[i], i, exec_at, batch_);
    } else if (std::holds_alternative<Seal>(item)) {
      st = check_seal_replies(replies_, first_reply_[i], batch_);
    } else {
      st = check_reply(replies_[first_reply_[i]].view(), batch_, first_reply_[i]);
    }
    if (!st) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      if (fail_log_.allow(clock_.mono_ns())) {
        log::warn("bus/io", "write {} refused: {}", batch_.describe(first_reply_[i]),
                  st.error().message());
      }
    } else if (std::holds_alternative<Seal>(item)) {
      written_.fetch_add(1, std::memory_order_relaxed);
      if (opts_.on_seal_committed) {
        auto ran_ns = seal_server_time(replies_, first_reply_[i]);
        if (ran_ns && *ran_ns >= published_ns) opts_.on_seal_committed(*ran_ns - published_ns);
      }
    } else if (std::holds_alternative<QuoteWrite>(item)) {
      quotes_written_.fetch_add(1, std::memory_order_relaxed);
    } else {
      events_written_.fetch_add(1, std::memory_order_relaxed);
    }
    ++done;
  }
  replies_.clear();  // the replies borrow nothing, but free them before the items go
  for (std::size_t i = 0; i < complete; ++i) {
    bytes_ -= payload_bytes(backlog_[i]);
    recycle(backlog_[i]);
  }
  backlog_.erase(backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(complete));
  backlog_bytes_.store(bytes_, std::memory_order_relaxed);
  if (!sent) {
    uncertain_ = n - complete;
    write_failures_.fetch_add(1, std::memory_order_relaxed);
    if (fail_log_.allow(clock_.mono_ns())) {
      log::warn("bus/io", "pipeline of {} writes cut off after {}: {}", n, complete,
                sent.error().message());
    }
  }
  return done;
}

void IoWorker::run(std::stop_token st) {
  pthread_setname_np(pthread_self(), "io");
  for (;;) {
    const std::uint32_t seen = signal_.snapshot();
    int n = do_work();
    bool empty = backlog_.empty() && queue_.front() == nullptr;
    if (stopping_.load(std::memory_order_acquire) || st.stop_requested()) {
      if (empty || clock_.mono_ns() >= stop_deadline_mono_ns_.load(std::memory_order_relaxed)) {
        break;
      }
    }
    if (n > 0) continue;
    if (empty) {
      signal_.wait(seen, kIdleWaitNs);  // a submit or stop() wakes it at once
      continue;
    }
    // Redis is down (or just failed): sleep until the next reconnect attempt is due, but wake
    // at least every down_poll_ns to move new seals into the backlog.
    DurationNs wait = std::clamp<DurationNs>(conn_.retry_in_ns(), kNsPerMs, opts_.down_poll_ns);
    std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
  }
  backlog_size_.store(backlog_.size(), std::memory_order_relaxed);
}

}  // namespace harrier::bus
