// Helpers shared by the feed tests (test-only; not part of harrier_feed): paths of bundled
// files, a private temp directory removed at the end, and draining a feed.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "feed/replay_feed.h"

namespace harrier::feed::testing {

inline std::string fixture(const std::string& name) {
  return std::string(HARRIER_SOURCE_DIR) + "/tests/fixtures/feed/" + name;
}
inline std::string data_file(const std::string& rel) {
  return std::string(HARRIER_SOURCE_DIR) + "/tests/data/" + rel;
}
inline const std::string kSpyTrades = data_file("equity_us/spy/tick/spy_20131007_trades.csv.zst");
inline const std::string kIbmTrades = data_file("equity_us/ibm/tick/ibm_20131007_trades.csv.zst");
inline const std::string kIbmQuotes = data_file("equity_us/ibm/tick/ibm_20131007_quotes.csv.zst");

// The raw bytes of a file (compressed or not); empty if it cannot be read.
inline std::string read_all(const std::string& path) {
  std::string out;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[1 << 16];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

// Decompresses a whole .zst file with libzstd's one-shot ZSTD_decompress: an oracle
// independent of the streaming reader under test. The files were written by a pipe, so their
// frames do not record the content size: grow the output until it fits.
inline std::string zstd_decompress_file(const std::string& path) {
  std::string packed = read_all(path);
  for (std::size_t cap = packed.size() * 8; cap < (std::size_t{1} << 31); cap *= 2) {
    std::string out(cap, '\0');
    std::size_t n = ZSTD_decompress(out.data(), out.size(), packed.data(), packed.size());
    if (!ZSTD_isError(n)) {
      out.resize(n);
      return out;
    }
    if (ZSTD_getErrorCode(n) != ZSTD_error_dstSize_tooSmall) return {};
  }
  return {};
}

// A fresh directory under $TMPDIR, removed with its contents when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "harrier-feed-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `bytes` to a file called `name` in the directory and returns its path.
  std::string write(const std::string& name, const std::string& bytes) const {
    std::string p = path_ + "/" + name;
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline ReplayOptions options_for(std::vector<ReplaySource> sources) {
  ReplayOptions o;
  o.sources = std::move(sources);
  return o;
}

struct Drained {
  std::vector<Tick> ticks;
  std::optional<Error> error;
};

// Reads `feed` to its end or its first error.
inline Drained drain(Feed& feed) {
  Drained d;
  Tick t;
  while (true) {
    Result<bool> r = feed.next(t);
    if (!r) {
      d.error = r.error();
      return d;
    }
    if (!*r) return d;
    d.ticks.push_back(t);
  }
}

inline std::unique_ptr<ReplayFeed> open_or_die(const ReplayOptions& o) {
  auto r = ReplayFeed::open(o);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
  return r ? std::move(r).value() : nullptr;
}

}  // namespace harrier::feed::testing
