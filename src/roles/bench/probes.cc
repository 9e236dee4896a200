#include "roles/bench/probes.h"

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "arrow/bar_codec.h"
#include "bus/bar_store.h"
#include "bus/keys.h"
#include "bus/streams.h"
#include "core/futex.h"

namespace harrier::roles::bench {
namespace {

constexpr std::size_t kRows = 120;  // the paper's frame: 120 bars of every column

std::int64_t clock_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}
std::int64_t mono_ns() { return clock_ns(CLOCK_MONOTONIC); }

std::vector<Bar> make_window() {
  std::vector<Bar> bars(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    Bar& b = bars[i];
    const auto k = static_cast<std::int64_t>(i);
    b.ts = 1709562600000000000 + k * 5 * kNsPerSec;
    b.seq = k;
    for (const ColumnDef& col : kBarColumns) {
      if (col.type == ColumnType::kFloat64) {
        column_ref<double>(b, col) = 512.0 + static_cast<double>(k) * 0.01;
      }
      if (col.type == ColumnType::kInt64 && col.name != "seq") column_ref<std::int64_t>(b, col) = k;
    }
    b.filled = i % 7 == 0;
  }
  return bars;
}

double us(std::int64_t ns) { return static_cast<double>(ns) / 1e3; }

}  // namespace

Stat Samples::stat() const {
  Stat s;
  if (ns_.empty()) return s;
  std::vector<std::int64_t> v = ns_;
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) {
    auto r = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<std::size_t>(r, 1, v.size()) - 1];
  };
  s.p50 = us(rank(0.50));
  s.p99 = us(rank(0.99));
  s.max = us(v.back());
  s.n = v.size();
  return s;
}

Probes::Probes(bus::ConnectionConfig redis)
    : conn_(std::move(redis)),
      window_(make_window()),
      frame_key_(bus::keys::bars("BENCH", Interval::k5s)),
      raw_key_(bus::keys::bars("BENCHRAW", Interval::k5s)) {
  if (!arrow::encode_bars(window_, "BENCH", Interval::k5s, encoded_)) encoded_.clear();
  copy_.resize(encoded_.size());
}

Status Probes::raw_setget() {
  // Raw SET + GET of the frame's bytes: the floor of the frame round trip.
  const std::int64_t t0 = mono_ns();
  HARRIER_TRY(conn_.command({"SET", raw_key_, encoded_}));
  HARRIER_ASSIGN_OR_RETURN(bus::Reply raw, conn_.command({"GET", raw_key_}));
  HARRIER_ASSIGN_OR_RETURN(std::string_view raw_bytes, raw.string());
  setget_.add(mono_ns() - t0);
  if (raw_bytes.size() != encoded_.size()) return internal_error("bench: GET returned other bytes");
  return ok();
}

Status Probes::frame_roundtrip() {
  // The frame: encode, SET, GET, decode (what P1 writes per seal and P2 reads per evaluation).
  // Like P1, the encoder and its buffer are reused.
  const std::int64_t t0 = mono_ns();
  HARRIER_TRY(encoder_.encode(window_, "BENCH", Interval::k5s, frame_buf_));
  HARRIER_TRY(conn_.command({"SET", frame_key_, frame_buf_}));
  HARRIER_ASSIGN_OR_RETURN(bus::Reply got, conn_.command({"GET", frame_key_}));
  HARRIER_ASSIGN_OR_RETURN(std::string_view got_bytes, got.string());
  // Decoded as P2 decodes a bundle's windows: into reused Bars (decode_bars_into).
  Status decoded = arrow::decode_bars_into(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(got_bytes.data()),
                                    got_bytes.size()),
      decoded_);
  frame_.add(mono_ns() - t0);
  if (!decoded) return std::move(decoded).error().with_context("bench: frame decode");
  if (decoded_.size() != window_.size() || decoded_.back().seq != window_.back().seq) {
    return internal_error("bench: the frame decoded to other bars");
  }
  return ok();
}

Status Probes::round() {
  if (encoded_.empty()) return internal_error("bench: the 120-bar window does not encode");

  std::int64_t t0 = mono_ns();
  HARRIER_TRY(conn_.ping());
  ping_.add(mono_ns() - t0);

  t0 = mono_ns();
  std::memcpy(copy_.data(), encoded_.data(), encoded_.size());
  asm volatile("" : : "r"(copy_.data()) : "memory");  // the copy must happen
  memcpy_.add(mono_ns() - t0);

  // The frame and its floor alternate which goes first, so neither always finds Redis and the
  // caches warmed by the other.
  if ((rounds_++ & 1) == 0) {
    HARRIER_TRY(raw_setget());
    return frame_roundtrip();
  }
  HARRIER_TRY(frame_roundtrip());
  return raw_setget();
}

// ---- BlockedReader ----

namespace {
constexpr std::string_view kProbeGroup = "bench";
constexpr auto kProbeTimeout = std::chrono::seconds(2);
}  // namespace

BlockedReader::BlockedReader(bus::ConnectionConfig redis, std::string stream, Relay relay)
    : cfg_(std::move(redis)), stream_(std::move(stream)), relay_(std::move(relay)) {}

BlockedReader::~BlockedReader() { stop(); }

void BlockedReader::stop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

std::string BlockedReader::last_error() {
  std::lock_guard lock(mu_);
  return error_;
}

Status BlockedReader::start(bus::Connection& admin) {
  HARRIER_TRY(bus::ensure_group(admin, stream_, kProbeGroup, "$"));
  thread_ = std::jthread([this](const std::stop_token& stop) { loop(stop); });
  return ok();
}

void BlockedReader::loop(const std::stop_token& stop) {
  pthread_setname_np(pthread_self(), "bench-reader");
  bus::Connection c(cfg_);
  while (!stop.stop_requested()) {
    auto got = bus::read_group(c, stream_, kProbeGroup, "reader", 16, 100);
    const std::int64_t t = mono_ns();
    Status st = got ? ok() : Status(got.error());
    if (st && !got->empty() && relay_) st = relay_(c, *got);
    if (!st) {
      {
        std::lock_guard lock(mu_);
        error_ = st.error().to_string();
      }
      seen_.notify_all();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (got->empty()) continue;
    {
      std::lock_guard lock(mu_);
      received_ += got->size();
      latest_ns_ = t;
      error_.clear();
    }
    seen_.notify_all();
  }
}

Result<std::int64_t> BlockedReader::wait_for(std::uint64_t count,
                                             std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!seen_.wait_for(lock, timeout, [&] { return received_ >= count; })) {
    return unavailable(fmt::format("bench: the reader of {} did not see entry {} within {} ms{}",
                                   stream_, count, timeout.count(),
                                   error_.empty() ? "" : ": " + error_));
  }
  return latest_ns_;
}

// ---- SealWakeProbe ----

namespace {
constexpr std::string_view kWakeSym = "BENCHWAKE";
}  // namespace

SealWakeProbe::SealWakeProbe(bus::ConnectionConfig redis)
    : writer_(redis),
      stream_(bus::keys::bench("seal_wake")),
      window_(make_window()),
      reader_(std::move(redis), stream_) {
  seal_.sym = kWakeSym;
  seal_.iv = Interval::k1s;
  seal_.quote = bus::QuoteSnapshot{512.0, 512.01, 100, 200, 512.0, 0};
}

SealWakeProbe::~SealWakeProbe() {
  reader_.stop();  // before its stream goes
  if (started_) {
    (void)writer_.command({"DEL", stream_, bus::keys::bars(kWakeSym, Interval::k1s),
                           bus::keys::bundle(kWakeSym), bus::keys::quote(kWakeSym)});
  }
}

Status SealWakeProbe::round(std::size_t rows) {
  if (!started_) {
    HARRIER_TRY(writer_.command({"DEL", stream_}));
    HARRIER_TRY(reader_.start(writer_));
    started_ = true;
  }
  rows = std::clamp<std::size_t>(rows, 1, kRows);
  if (rows != rows_) {
    std::span<const Bar> last(window_.data() + (kRows - rows), rows);
    HARRIER_TRY(encoder_.encode(last, kWakeSym, Interval::k1s, seal_.bars));
    rows_ = rows;
  }
  // From the start of the pipeline, where P1's IO thread stamps published_ns: P1's own seal
  // commands (bus::append_seal), announced on the probe's stream.
  const std::int64_t t0 = mono_ns();
  seal_.seq = static_cast<std::int64_t>(sent_);
  seal_.bar_start_ns = seal_.sealed_ns = seal_.quote.ts_ns = SystemClock::instance().now_ns();
  bus::CommandBatch batch;
  bus::append_seal(batch, seal_, enc_, 1000, seal_.sealed_ns, stream_);
  std::vector<bus::Reply> replies;
  HARRIER_TRY(writer_.run(batch, replies));
  HARRIER_TRY(bus::check_seal_replies(replies, 0, batch));
  HARRIER_ASSIGN_OR_RETURN(std::int64_t got, reader_.wait_for(++sent_, kProbeTimeout));
  // The first round also waits for the reader to connect and block: not a sample.
  if (sent_ > 1) wake_.add(got - t0);
  return ok();
}

// ---- StopPathProbe ----

namespace {
// P3's fire script (src/roles/telemetry/stop_monitor.cc): SET NX of the marker (here expiring
// after 1 s, so none outlives the bench), XADD the exit.
constexpr std::string_view kFireOnce = R"lua(
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', 1000) then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', '1000', '*', unpack(ARGV, 2))
return 1
)lua";
}  // namespace

StopPathProbe::StopPathProbe(bus::ConnectionConfig redis)
    : writer_(redis),
      quotes_(bus::keys::bench("stop_quote")),
      exits_(bus::keys::bench("stop_exit")),
      fired_(bus::keys::bench("stop_fired:")),
      relay_(redis, quotes_,
             [this](bus::Connection& c, const std::vector<bus::StreamEntry>& entries) -> Status {
               for (const bus::StreamEntry& e : entries) {
                 const std::string key = fired_ + e.id;
                 HARRIER_TRY(c.command({"EVAL", kFireOnce, "2", key, exits_, e.id, "sym",
                                        "BENCHSTOP", "reason", "trailing_stop", "stop_price",
                                        "511.5", "trigger_ns", e.id}));
               }
               return ok();
             }),
      receiver_(std::move(redis), exits_) {}

StopPathProbe::~StopPathProbe() {
  relay_.stop();  // before their streams go
  receiver_.stop();
  if (started_) (void)writer_.command({"DEL", quotes_, exits_});  // the markers expire within 1 s
}

Status StopPathProbe::round() {
  if (!started_) {
    HARRIER_TRY(writer_.command({"DEL", quotes_, exits_}));
    HARRIER_TRY(receiver_.start(writer_));
    HARRIER_TRY(relay_.start(writer_));
    started_ = true;
  }
  // A quote entry as P1 publishes one (bus::QuoteEvent's fields).
  const std::int64_t t0 = mono_ns();
  const std::string ts = std::to_string(t0);
  HARRIER_TRY(writer_.command({"XADD",      quotes_, "MAXLEN", "~",     "1000",   "*",        "sym",
                               "BENCHSTOP", "bid",   "511.49", "ask",   "511.51", "bid_size", "100",
                               "ask_size",  "200",   "last",   "511.5", "ts_ns",  ts}));
  auto got = receiver_.wait_for(++sent_, kProbeTimeout);
  if (!got) {
    const std::string relay = relay_.last_error();
    return relay.empty() ? std::move(got).error()
                         : std::move(got).error().with_context("relay: " + relay);
  }
  if (sent_ > 1) path_.add(*got - t0);
  return ok();
}

// ---- TimerProbe ----

TimerProbe::TimerProbe(Schedule schedule, int rt_priority)
    : schedule_(schedule),
      rt_priority_(rt_priority),
      thread_([this](const std::stop_token& stop) { loop(stop); }) {}

TimerProbe::~TimerProbe() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

Samples TimerProbe::finish() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
  return std::move(late_);
}

std::int64_t TimerProbe::wait_for(clockid_t clock, std::int64_t due, const std::stop_token& stop) {
  auto now_on = [clock] { return clock_ns(clock); };
  constexpr std::int64_t kSlice = 50 * kNsPerMs;
  const std::int64_t wake_at = due - ingest::kSpinMargin;
  for (std::int64_t now = now_on(); now < wake_at; now = now_on()) {
    if (stop.stop_requested()) return -1;
    const std::int64_t until = std::min(wake_at, now + kSlice);
    timespec ts{static_cast<time_t>(until / kNsPerSec), static_cast<long>(until % kNsPerSec)};
    clock_nanosleep(clock, TIMER_ABSTIME, &ts, nullptr);
  }
  std::int64_t now = now_on();
  while (now < due) now = now_on();
  return now;
}

void TimerProbe::loop(const std::stop_token& stop) {
  pthread_setname_np(pthread_self(),
                     schedule_ == Schedule::kGaps ? "bench-timer" : "bench-boundary");
  set_tight_timer_slack();
  // `harrier bench` refuses an --rt-priority it may not use, so this is granted as P1's is.
  if (rt_priority_ > 0) (void)set_sched_fifo(rt_priority_);
  std::uint64_t x = 0x9E3779B97F4A7C15ull;  // xorshift64: no aliasing with the feed's batches
  auto next_random = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  if (schedule_ == Schedule::kGaps) {
    std::int64_t due = mono_ns() + 5 * kNsPerMs;
    while (!stop.stop_requested()) {
      const std::int64_t now = wait_for(CLOCK_MONOTONIC, due, stop);
      if (now < 0) return;
      late_.add(now - due);
      dues_.push_back(due);
      due += 2 * kNsPerMs + static_cast<std::int64_t>(next_random() % (6 * kNsPerMs));
      if (due < now) due = now + 2 * kNsPerMs;  // never chase a backlog
    }
    return;
  }
  std::int64_t second = clock_ns(CLOCK_REALTIME) / kNsPerSec + 1;
  for (int k = 0; !stop.stop_requested(); ++k) {
    if (k == kBoundaryDeadlines) {
      k = 0;
      ++second;
    }
    const std::int64_t due = second * kNsPerSec + k * kBoundaryStep +
                             static_cast<std::int64_t>(next_random() % kBoundaryStep);
    if (const std::int64_t wall = clock_ns(CLOCK_REALTIME); due < wall) {
      second = std::max(second, wall / kNsPerSec);  // late for it already: never chase a backlog
      continue;
    }
    const std::int64_t now = wait_for(CLOCK_REALTIME, due, stop);
    if (now < 0) return;
    late_.add(now - due);
    dues_.push_back(due);
  }
}

}  // namespace harrier::roles::bench
