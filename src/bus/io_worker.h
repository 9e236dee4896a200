// The P1 IO worker (ARCHITECTURE §4, §6). The bar thread submits seals, coalesced quote writes
// (HSET quote:{sym}) and stream events (XADD, e.g. stream:sweep) into one bounded SPSC queue;
// one IO thread owns the Redis connection, moves them into an in-order backlog and writes them
// as pipelines: a MULTI/EXEC transaction per seal (bar_store.h), one command per quote or
// event. One queue keeps them in submission order, so a quote write never lands before an
// older seal's quote.
//
// Threads: submit() from exactly one producer thread; everything else runs on the IO thread
// (or, in tests, on the caller's thread through do_work() with no thread started). stats() may
// be read from any thread.
//
// While Redis is down the backlog keeps at most `backlog_capacity` seals; past that the oldest
// is dropped (a newer seal of the same key supersedes it) and counted. A full queue drops the
// submitted seal, counted by the producer. When Redis returns the backlog is flushed in order.
// Nothing is written twice: the seals of a pipeline cut off by a failure are "uncertain"; after
// reconnecting the worker looks for their new_bar events among the newest entries of
// stream:new_bar (XREVRANGE) and skips those found, since EXEC applied each seal whole or not
// at all. A seal refused by the server (an error reply, e.g. NOPERM) is dropped and counted.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>

#include "bus/bar_store.h"
#include "bus/connection.h"
#include "bus/events.h"
#include "bus/keys.h"
#include "core/futex.h"
#include "core/log.h"
#include "core/spsc_queue.h"

namespace harrier::bus {

struct IoWorkerOptions {
  // Writes between the bar thread and the IO thread: at 4 M ev/s over 100 symbols P1 submits
  // ~70,000 a second (sweeps, quotes, seals), and 4,096 overflowed whenever the IO thread lost
  // its core for ~60 ms on a 2-core machine.
  std::size_t queue_capacity = 32768;
  std::size_t backlog_capacity = 20000;        // writes kept while Redis is down
  std::size_t backlog_max_bytes = 256u << 20;  // and at most this many payload bytes
  std::size_t max_pipeline = 64;               // seals per pipeline
  // Writes of any kind per pipeline: quote writes and stream events are a few hundred bytes,
  // and a pipeline capped at 64 of them made P1's writes one round trip per 64 (~150,000 a
  // second was the most at 2.2 M ev/s, with the IO queue overflowing past it).
  std::size_t max_pipeline_items = 1024;
  std::size_t stream_maxlen = kDefaultStreamMaxLen;
  // Written seals' bar buffers kept for take_buffer(): a second boundary at 100 symbols seals
  // ~100 windows, a minute boundary ~500. Past this many waiting, a written seal's buffer is
  // freed (and the next seal past the pool mallocs fresh pages). P1 sets it to the buffers it
  // keeps in circulation.
  std::size_t spare_buffers = 256;
  DurationNs down_poll_ns = 20 * kNsPerMs;  // longest sleep between retries while down
  // Called on the IO thread for each seal Redis applied: from the start of its pipeline (its
  // published_ns) to Redis running its transaction, by Redis' clock (the transaction's TIME).
  // Not called when that comes out negative: a Redis on another machine, whose clock is not
  // this one's. P1 keeps it as publish_to_commit_us.
  std::function<void(DurationNs)> on_seal_committed;
};

// A coalesced quote write: HSET quote:{sym} with the six fields of QuoteSnapshot.
struct QuoteWrite {
  std::string sym;
  QuoteSnapshot quote;
};
// A stream event: XADD stream MAXLEN ~ N * fields. Delivery is at least once: an event whose
// pipeline was cut off is sent again after reconnecting.
struct EventWrite {
  keys::Stream stream = keys::Stream::kSweep;
  Fields fields;
};
// The stream:quote entry of one symbol while it waits for a pipeline (submit_quote_change):
// every change the producer publishes before the IO thread takes the entry joins it.
struct QuoteSlot {
  std::mutex mu;
  bool waiting = false;  // an entry is queued or in the backlog, not yet taken into a pipeline
  QuoteEvent entry;      // its newest change; entry.path the earlier ones
};
using IoItem = std::variant<Seal, QuoteWrite, EventWrite, QuoteSlot*>;

struct IoWorkerStats {
  std::uint64_t submitted = 0;         // accepted by submit() (seals, quotes and events)
  std::uint64_t queue_drops = 0;       // refused by submit(): queue full
  std::uint64_t backlog_drops = 0;     // oldest seals dropped while Redis was down
  std::uint64_t written = 0;           // seals applied by Redis
  std::uint64_t quotes_written = 0;    // quote writes applied
  std::uint64_t events_written = 0;    // stream events applied (a stream:quote entry counts once)
  std::uint64_t quote_path_drops = 0;  // stream:quote changes lost to a full entry
  std::uint64_t rejected = 0;          // seals refused by the server (error reply), dropped
  std::uint64_t verified_applied = 0;  // uncertain seals found applied after a reconnect
  std::uint64_t write_failures = 0;    // pipelines cut off by a connection failure
  std::uint64_t backlog = 0;           // writes waiting now
  std::uint64_t backlog_bytes = 0;     // their bar payload bytes
};

class IoWorker {
 public:
  // `clock` must outlive the worker.
  IoWorker(ConnectionConfig cfg, IoWorkerOptions opts,
           const Clock& clock = SystemClock::instance());
  ~IoWorker();
  IoWorker(const IoWorker&) = delete;
  IoWorker& operator=(const IoWorker&) = delete;

  // Starts the IO thread (named "io").
  void start();
  // Asks the IO thread to flush what is queued for at most `grace_ns`, then joins it. Seals
  // still unwritten after the grace stay counted in stats().backlog.
  void stop(DurationNs grace_ns = 2 * kNsPerSec);

  // Producer thread only. False when the queue is full (the item is dropped and counted).
  bool submit(Seal seal);
  // Producer thread only: a buffer for the next Seal::bars, the bytes of a seal the IO thread
  // has written (its size and contents are stale: overwrite them), or an empty string when none
  // is back yet. A window encoded into it needs no allocation and touches no fresh page.
  std::string take_buffer();
  bool submit_quote(std::string sym, const QuoteSnapshot& quote);
  bool submit_event(keys::Stream stream, Fields fields);
  // Producer thread only: publishes a change of one symbol's prices on stream:quote. `slot`
  // names the symbol (a small dense id, e.g. its SymbolId). A change is never merged away: while
  // the symbol's previous entry waits for the IO thread, the change joins it (the entry's path,
  // oldest first), so an entry is written per symbol per pipeline however fast prices move, and
  // a stop still sees every price. Past kMaxQuotePath changes in one entry the newest replaces
  // the entry's fields and the one it displaces is counted as lost (the IO thread has not taken
  // the entry for that long).
  enum class QuoteChange : std::uint8_t { kQueued, kJoined, kDropped };
  QuoteChange submit_quote_change(std::size_t slot, const QuoteEvent& change);
  static constexpr std::size_t kMaxQuotePath = 4096;

  IoWorkerStats stats() const;

  // One duty cycle on the calling thread: drain the queue, reconnect if due, verify uncertain
  // seals, write one pipeline. Returns the number of seals written or skipped as applied.
  // For tests and for the IO thread; never call it while the thread runs.
  int do_work();
  // True when the queue and the backlog are empty.
  bool idle();
  Connection& connection() { return conn_; }

 private:
  void run(std::stop_token st);
  void drain_queue();
  Status verify_uncertain();
  int write_pipeline();
  bool submit_item(IoItem item);
  void recycle(IoItem& item);  // IO thread: a written seal's bytes back to the producer
  // IO thread: turns a waiting stream:quote entry into the write it will be from now on (sent
  // again as the same bytes if its pipeline is cut off); the slot takes new changes again.
  void take_quote_slot(IoItem& item);
  void release_quote_slot(IoItem& item);  // IO thread: an entry dropped from the backlog

  Connection conn_;
  IoWorkerOptions opts_;
  const Clock& clock_;
  SpscQueue<IoItem> queue_;
  SpscQueue<std::string> spare_;  // written seals' bar buffers, IO thread -> producer
  std::deque<IoItem> backlog_;    // IO thread only
  std::size_t uncertain_ = 0;     // the first `uncertain_` backlog items may have been applied
  CommandBatch batch_;            // reused between pipelines
  std::vector<EncodedSeal> enc_;
  std::vector<std::array<std::string, 7>> quote_text_;  // key + six values, per pipeline slot
  std::string maxlen_text_;
  std::vector<std::size_t> first_reply_;  // per pipeline slot: index of its first reply
  std::vector<Reply> replies_;
  std::deque<QuoteSlot> quote_slots_;   // by slot id; grown by the producer (stable addresses)
  std::vector<QuotePoint> spare_path_;  // IO thread: swapped into a slot when it is taken
  log::LogEvery fail_log_{5 * kNsPerSec};

  // Bumped on submit and stop; the IO thread sleeps on it when it has nothing to write. Not
  // std::atomic::wait: libstdc++'s wait spins with sched_yield before it sleeps (~200,000 yields
  // in a 20 s session at 100 symbols) and its notify makes a futex call whenever the IO thread
  // is anywhere in wait(), spinning included; WakeWord makes one only when it is asleep.
  WakeWord signal_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> stop_deadline_mono_ns_{0};
  std::atomic<std::uint64_t> submitted_{0}, queue_drops_{0}, backlog_drops_{0}, written_{0},
      rejected_{0}, verified_applied_{0}, write_failures_{0}, backlog_size_{0}, quotes_written_{0},
      events_written_{0}, backlog_bytes_{0}, quote_path_drops_{0};
  std::size_t bytes_ = 0;  // IO thread: bar payload bytes in backlog_
  std::jthread thread_;
};

}  // namespace harrier::bus
