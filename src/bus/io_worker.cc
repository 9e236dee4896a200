#include "bus/io_worker.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "bus/keys.h"
#include "bus/streams.h"

namespace harrier::bus {

IoWorker::IoWorker(ConnectionConfig cfg, IoWorkerOptions opts, const Clock& clock)
    : conn_(std::move(cfg), clock),
      opts_(opts),
      clock_(clock),
      queue_(std::max<std::size_t>(opts.queue_capacity, 1)) {
  opts_.backlog_capacity = std::max<std::size_t>(opts_.backlog_capacity, 1);
  opts_.max_pipeline = std::max<std::size_t>(opts_.max_pipeline, 1);
  enc_.resize(opts_.max_pipeline);
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
  signal_.fetch_add(1, std::memory_order_release);
  signal_.notify_one();
  thread_.join();
}

bool IoWorker::submit(Seal seal) {
  if (!queue_.try_push(std::move(seal))) {
    queue_drops_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  submitted_.fetch_add(1, std::memory_order_relaxed);
  signal_.fetch_add(1, std::memory_order_release);
  signal_.notify_one();
  return true;
}

IoWorkerStats IoWorker::stats() const {
  IoWorkerStats s;
  s.submitted = submitted_.load(std::memory_order_relaxed);
  s.queue_drops = queue_drops_.load(std::memory_order_relaxed);
  s.backlog_drops = backlog_drops_.load(std::memory_order_relaxed);
  s.written = written_.load(std::memory_order_relaxed);
  s.rejected = rejected_.load(std::memory_order_relaxed);
  s.verified_applied = verified_applied_.load(std::memory_order_relaxed);
  s.write_failures = write_failures_.load(std::memory_order_relaxed);
  s.backlog = backlog_size_.load(std::memory_order_relaxed);
  return s;
}

bool IoWorker::idle() {
  drain_queue();
  return backlog_.empty();
}

void IoWorker::drain_queue() {
  while (Seal* s = queue_.front()) {
    if (backlog_.size() >= opts_.backlog_capacity) {
      backlog_.pop_front();
      if (uncertain_ > 0) --uncertain_;
      backlog_drops_.fetch_add(1, std::memory_order_relaxed);
    }
    backlog_.push_back(std::move(*s));
    queue_.pop();
  }
  backlog_size_.store(backlog_.size(), std::memory_order_relaxed);
}

int IoWorker::do_work() {
  drain_queue();
  if (backlog_.empty()) return 0;
  if (auto s = conn_.connect(); !s) {
    if (fail_log_.allow(clock_.mono_ns())) {
      log::warn("bus/io", "redis down, {} seals in backlog: {}", backlog_.size(),
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
  std::deque<Seal> keep;
  for (std::size_t i = 0; i < uncertain_; ++i) {
    const Seal& s = backlog_[i];
    bool found = std::any_of(applied.begin(), applied.end(), [&](const NewBarEvent& ev) {
      return ev.sym == s.sym && ev.iv == s.iv && ev.seq == s.seq &&
             ev.bar_start_ns == s.bar_start_ns && ev.sealed_ns == s.sealed_ns;
    });
    if (found) {
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

int IoWorker::write_pipeline() {
  std::size_t n = std::min(opts_.max_pipeline, backlog_.size());
  batch_.clear();
  for (std::size_t i = 0; i < n; ++i)
    append_seal(batch_, backlog_[i], enc_[i], opts_.stream_maxlen);
  Status sent = conn_.run(batch_, replies_);
  std::size_t complete = std::min(n, replies_.size() / kCommandsPerSeal);
  int done = 0;
  for (std::size_t i = 0; i < complete; ++i) {
    if (auto s = check_seal_replies(replies_, i * kCommandsPerSeal, batch_); !s) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      if (fail_log_.allow(clock_.mono_ns())) {
        log::warn("bus/io", "seal {} {} seq={} refused: {}", backlog_[i].sym,
                  interval_name(backlog_[i].iv), backlog_[i].seq, s.error().message());
      }
    } else {
      written_.fetch_add(1, std::memory_order_relaxed);
    }
    ++done;
  }
  replies_.clear();  // the replies borrow nothing, but free them before the seals go
  backlog_.erase(backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(complete));
  if (!sent) {
    uncertain_ = n - complete;
    write_failures_.fetch_add(1, std::memory_order_relaxed);
    if (fail_log_.allow(clock_.mono_ns())) {
      log::warn("bus/io", "pipeline of {} seals cut off after {}: {}", n, complete,
                sent.error().message());
    }
  }
  return done;
}

void IoWorker::run(std::stop_token st) {
  pthread_setname_np(pthread_self(), "io");
  for (;;) {
    std::uint64_t seen = signal_.load(std::memory_order_acquire);
    int n = do_work();
    bool empty = backlog_.empty() && queue_.front() == nullptr;
    if (stopping_.load(std::memory_order_acquire) || st.stop_requested()) {
      if (empty || clock_.mono_ns() >= stop_deadline_mono_ns_.load(std::memory_order_relaxed)) {
        break;
      }
    }
    if (n > 0) continue;
    if (empty) {
      signal_.wait(seen, std::memory_order_acquire);
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
