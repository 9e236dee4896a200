// What `harrier bench` measures inside its own process, against the same Redis the roles use,
// so each system figure has a physical floor beside it (issue #7):
//   frame      a 120-bar window of the full enriched schema (120 x kBarColumnCount) encoded as
//              Arrow IPC, SET, GET and decoded back into Bars: what P1 writes and P2 reads;
//   setget     raw SET + GET of the same bytes through bus::Connection (no Arrow);
//   memcpy     memcpy of the same bytes;
//   ping       a Redis PING round trip.
// Samples are kept whole (no histogram buckets), so percentiles are exact. Owned by the bench's
// main thread, which interleaves rounds with its heartbeat sampling.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arrow/bar_codec.h"
#include "bus/connection.h"
#include "core/result.h"
#include "market/bar.h"

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

}  // namespace harrier::roles::bench
