// What `harrier bench` measures inside its own process, against the same Redis the roles use,
// so each system figure has a physical floor beside it (issue #7):
//   frame      a 120-bar window of the full enriched schema (120 x kBarColumnCount) encoded as
//              Arrow IPC, SET, GET and decoded back into Bars: what P1 writes and P2 reads;
//   setget     raw SET + GET of the same bytes through bus::Connection (no Arrow);
//   memcpy     memcpy of the same bytes;
//   ping       a Redis PING round trip;
//   seal_wake  (SealWakeProbe) a seal's MULTI/EXEC, shaped as P1's (SET bars, HSET bundle,
//              HSET quote, XADD), announced on the bench's own stream, from this thread to
//              another thread blocked in XREADGROUP on it: the floor of new_bar -> P2 wake;
//   stop_path  (StopPathProbe) the stop path's three Redis hops between three threads: the
//              floor of stop trigger -> exit order;
//   timer      (TimerProbe) how late a thread that waits for a deadline as P1's feed thread
//              does (sleep until 60 us before, then spin) gets there: the floor of feed lag.
// Samples are kept whole (no histogram buckets), so percentiles are exact. Owned by the bench's
// main thread, which interleaves rounds with its heartbeat sampling.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "arrow/bar_codec.h"
#include "bus/bar_store.h"
#include "bus/connection.h"
#include "bus/streams.h"
#include "core/result.h"
#include "market/bar.h"
#include "roles/ingest/ingest.h"

namespace harrier::roles::bench {

// Percentiles of a latency sample, in microseconds.
struct Stat {
  double p50 = 0, p99 = 0, max = 0;
  std::uint64_t n = 0;
};

class Samples {
 public:
  void add(std::int64_t ns) { ns_.push_back(ns); }
  std::size_t size() const { return ns_.size(); }
  // Nearest-rank percentiles; n = 0 when empty.
  Stat stat() const;

 private:
  std::vector<std::int64_t> ns_;
};

class Probes {
 public:
  // Does not connect; the first round does.
  explicit Probes(bus::ConnectionConfig redis);

  // One sample of each measurement. kUnavailable when Redis fails; kInternal when the frame does
  // not decode back to the window it encoded.
  Status round();

  const Samples& frame() const { return frame_; }
  const Samples& setget() const { return setget_; }
  const Samples& memcpy_ns() const { return memcpy_; }
  const Samples& ping() const { return ping_; }
  std::size_t frame_bytes() const { return encoded_.size(); }
  std::size_t rows() const { return window_.size(); }

 private:
  Status raw_setget();
  Status frame_roundtrip();
  std::uint64_t rounds_ = 0;
  bus::Connection conn_;
  std::vector<Bar> window_;
  std::vector<Bar> decoded_;  // the frame decoded back, reused like P2's
  arrow::BarEncoder encoder_;
  std::string encoded_, copy_, frame_buf_, frame_key_, raw_key_;
  Samples frame_, setget_, memcpy_, ping_;
};

// A thread of its own, with its own connection, blocked in XREADGROUP on one stream as P2 and
// P3 block on theirs. It counts the entries it receives and notes when it held the latest;
// `relay`, when given, runs on that thread for each batch (a hop of a chain, as P3 is).
class BlockedReader {
 public:
  using Relay = std::function<Status(bus::Connection&, const std::vector<bus::StreamEntry>&)>;
  BlockedReader(bus::ConnectionConfig redis, std::string stream, Relay relay = {});
  ~BlockedReader();  // stops the thread (its XREADGROUP blocks at most 100 ms)
  BlockedReader(const BlockedReader&) = delete;
  BlockedReader& operator=(const BlockedReader&) = delete;

  // Creates the stream's group ("$": only new entries) through `admin`, starts the thread.
  Status start(bus::Connection& admin);
  // Waits until `count` entries were received in all; returns when the latest was held
  // (steady clock, ns). kUnavailable after `timeout`, naming the reader's last error.
  Result<std::int64_t> wait_for(std::uint64_t count, std::chrono::milliseconds timeout);
  // The reader's last failure (Redis, or the relay's), "" after a success.
  std::string last_error();
  // Stops the thread; idempotent.
  void stop();

 private:
  void loop(const std::stop_token& stop);
  bus::ConnectionConfig cfg_;
  std::string stream_;
  Relay relay_;
  std::mutex mu_;
  std::condition_variable seen_;
  std::uint64_t received_ = 0;  // under mu_
  std::int64_t latest_ns_ = 0;  // under mu_
  std::string error_;           // under mu_: the last failure, cleared by a success
  std::jthread thread_;
};

// The floor of the new_bar -> P2 wake. Each round writes one seal exactly as P1's IO thread
// does (bus::append_seal's commands and key shapes, the bars twice: SET and bundle field) of a
// window of `rows` bars of the full schema, but announces it on bench:seal_wake, and times from
// the start of the pipeline (where P1 stamps published_ns) to a BlockedReader holding it.
class SealWakeProbe {
 public:
  explicit SealWakeProbe(bus::ConnectionConfig redis);
  ~SealWakeProbe();  // stops the reader, deletes the probe's keys
  SealWakeProbe(const SealWakeProbe&) = delete;
  SealWakeProbe& operator=(const SealWakeProbe&) = delete;

  // One sample with a window of `rows` bars (1..120). kUnavailable when Redis fails or the
  // reader does not see the entry within 2 s.
  Status round(std::size_t rows);
  const Samples& wake() const { return wake_; }

 private:
  bus::Connection writer_;
  std::string stream_;
  std::vector<Bar> window_;
  arrow::BarEncoder encoder_;
  bus::Seal seal_;  // its bars: the last `rows_` bars of window_
  bus::EncodedSeal enc_;
  std::size_t rows_ = 0;
  std::uint64_t sent_ = 0;
  bool started_ = false;
  Samples wake_;
  BlockedReader reader_;
};

// The floor of stop trigger -> exit order: the path's three Redis hops without the roles'
// work. Each round XADDs a quote-sized entry to bench:stop_quote (as P1 publishes on
// stream:quote); a relay thread blocked on it runs P3's fire script (SET NX of a marker, XADD
// to bench:stop_exit); a second reader blocked on that (as P2 on stream:exit_fire) holds it.
// Timed from before the first XADD to the second reader holding the exit.
class StopPathProbe {
 public:
  explicit StopPathProbe(bus::ConnectionConfig redis);
  ~StopPathProbe();  // stops both threads, deletes the probe's keys
  StopPathProbe(const StopPathProbe&) = delete;
  StopPathProbe& operator=(const StopPathProbe&) = delete;

  Status round();
  const Samples& path() const { return path_; }

 private:
  bus::Connection writer_;
  std::string quotes_, exits_, fired_;
  std::uint64_t sent_ = 0;
  bool started_ = false;
  Samples path_;
  BlockedReader relay_, receiver_;
};

// How late a thread of its own gets to a deadline, waiting for it as P1's feed thread waits for a
// tick (tight timer slack, sleep until kSpinMargin before, spin the rest), under the policy P1's
// feed and bar threads get (`rt_priority`: SCHED_FIFO at that priority when > 0 and allowed).
// Two schedules:
//   kGaps        deadlines every 2-8 ms at random: the floor of feed lag. ~2% of a core (spins).
//   kBoundaries  ten deadlines in the first 5 ms after each second of the wall clock (one in
//                each 500 us, at random within it), when every bar of every interval ends and
//                the ticks that close them arrive: the floor of seal delay, which starts at such
//                a tick's exchange time (the simulator's are the wall clock's; a replayed file's
//                boundaries fall elsewhere, so the bench runs it for the simulator only).
//                ~0.06% of a core, all of it in those windows (the spins).
class TimerProbe {
 public:
  enum class Schedule : std::uint8_t { kGaps, kBoundaries };
  explicit TimerProbe(Schedule schedule = Schedule::kGaps, int rt_priority = 0);
  ~TimerProbe();  // stops the thread
  TimerProbe(const TimerProbe&) = delete;
  TimerProbe& operator=(const TimerProbe&) = delete;
  // Stops the thread and returns the lateness samples (call once, after the session).
  Samples finish();
  // After finish(): the deadlines the samples were taken at, in order (wall clock for
  // kBoundaries, CLOCK_MONOTONIC for kGaps).
  const std::vector<std::int64_t>& deadlines() const { return dues_; }

  static constexpr int kBoundaryDeadlines = 10;               // a second
  static constexpr std::int64_t kBoundaryStep = 500'000;      // ns between them
  static constexpr std::int64_t kBoundaryWindow = 5'000'000;  // ns: 10 x 500 us

 private:
  void loop(const std::stop_token& stop);
  // Sleeps until kSpinMargin before `due` on `clock` (in slices, so a stop is seen within
  // ~50 ms), then spins to it. Returns the clock's reading there, or -1 when stopped first.
  static std::int64_t wait_for(clockid_t clock, std::int64_t due, const std::stop_token& stop);
  Schedule schedule_;
  int rt_priority_;
  Samples late_;                    // the probe thread's until finish() joins it
  std::vector<std::int64_t> dues_;  // likewise
  std::jthread thread_;
};

}  // namespace harrier::roles::bench
