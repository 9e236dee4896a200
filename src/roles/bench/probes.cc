#include "roles/bench/probes.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "arrow/bar_codec.h"
#include "bus/keys.h"

namespace harrier::roles::bench {
namespace {

constexpr std::size_t kRows = 120;  // the paper's frame: 120 bars of every column

std::int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

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

}  // namespace harrier::roles::bench
