// Harrier's half of the apache-arrow JS oracle (tests/oracle/*.mjs).
//   arrow_oracle_tool write DIR        writes DIR/{bars,mixed}.arrow with Harrier's writers and
//                                      DIR/{bars,mixed}.expect.json describing every value
//   arrow_oracle_tool check FILE JSON  reads FILE (written by apache-arrow JS) with Harrier's
//                                      reader and compares it with JSON (written by the JS side)
// Expectation JSON: {"metadata": {k: v}, "fields": [{"name", "type", "nullable", "metadata"}],
// "batches": [{"rows": n, "columns": [[v, ...], ...]}]} where a value is null, a decimal string
// (int64, timestamp), 16 hex digits of the float64 bits, a bool or a string. Floats are thus
// compared bit for bit. With "bars": true the file is also decoded with decode_bars.
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "arrow/bar_codec.h"
#include "arrow/builder.h"
#include "arrow/reader.h"
#include "arrow/writer.h"

namespace {

using nlohmann::json;
using namespace harrier;
using namespace harrier::arrow;

std::string hex_bits(double d) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, std::bit_cast<std::uint64_t>(d));
  return buf;
}

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double interesting_double(std::uint64_t& s) {
  const std::uint64_t r = splitmix(s);
  switch (r % 8) {
    case 0:
      return kNaN;
    case 1:
      return -0.0;
    case 2:
      return std::numeric_limits<double>::infinity() * ((r >> 8) % 2 ? 1 : -1);
    case 3:
      return std::numeric_limits<double>::denorm_min() * static_cast<double>(r >> 40);
    case 4:
      return std::bit_cast<double>(splitmix(s) & 0x7FEFFFFFFFFFFFFFull);  // any finite bits
    default:
      return static_cast<double>(static_cast<std::int64_t>(r >> 20) - (1ll << 43)) / 100.0;
  }
}

json field_json(const Field& f) {
  json md = json::object();
  for (const auto& [k, v] : f.metadata) md[k] = v;
  return {
      {"name", f.name}, {"type", f.type.to_string()}, {"nullable", f.nullable}, {"metadata", md}};
}

json value_json(const DataType& t, const ColumnView& c, std::int64_t r) {
  if (t.id == TypeId::kNull || !c.is_valid(r)) return nullptr;
  switch (t.id) {
    case TypeId::kFloat:
      return hex_bits(c.float_at(t, r));
    case TypeId::kBool:
      return c.bool_at(r);
    case TypeId::kUtf8:
      return std::string(c.string_at(r));
    default:
      return std::to_string(c.int_at(t, r));
  }
}

json table_json(const Table& t) {
  json j;
  j["metadata"] = json::object();
  for (const auto& [k, v] : t.schema.metadata) j["metadata"][k] = v;
  j["fields"] = json::array();
  for (const Field& f : t.schema.fields) j["fields"].push_back(field_json(f));
  j["batches"] = json::array();
  for (const RecordBatch& b : t.batches) {
    json cols = json::array();
    for (std::size_t c = 0; c < b.num_columns(); ++c) {
      json vals = json::array();
      for (std::int64_t r = 0; r < b.num_rows(); ++r) {
        vals.push_back(value_json(t.schema.fields[c].type, b.column(c), r));
      }
      cols.push_back(vals);
    }
    j["batches"].push_back({{"rows", b.num_rows()}, {"columns", cols}});
  }
  return j;
}

bool write_file(const std::string& path, const void* data, std::size_t n) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool good = std::fwrite(data, 1, n, f) == n;
  return std::fclose(f) == 0 && good;
}

int write_mode(const std::string& dir) {
  std::uint64_t seed = 42;
  // 1. A window of 120 bars through the bar codec.
  std::vector<Bar> bars(120);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    Bar& b = bars[i];
    for (const ColumnDef& col : kBarColumns) {
      switch (col.type) {
        case ColumnType::kTimestampNs:
          column_ref<std::int64_t>(b, col) =
              1381152600000000000 + static_cast<std::int64_t>(i) * 5'000'000'000;
          break;
        case ColumnType::kInt64:
          column_ref<std::int64_t>(b, col) = static_cast<std::int64_t>(splitmix(seed));
          break;
        case ColumnType::kFloat64:
          column_ref<double>(b, col) = interesting_double(seed);
          break;
        case ColumnType::kBool:
          column_ref<bool>(b, col) = splitmix(seed) % 2 == 0;
          break;
      }
    }
  }
  std::vector<std::uint8_t> bytes;
  if (!encode_bars(bars, "SPY", Interval::k5s, bytes)) return 1;
  auto table = read_stream(bytes);  // to describe what was written, read back
  if (!table) return 1;
  json j = table_json(*table);
  // Describe the bars from the structs themselves, not from the reader: the two must agree.
  for (std::size_t c = 0; c < kBarColumnCount; ++c) {
    for (std::size_t r = 0; r < bars.size(); ++r) {
      const ColumnDef& col = kBarColumns[c];
      json v = col.type == ColumnType::kFloat64 ? json(hex_bits(column_ref<double>(bars[r], col)))
               : col.type == ColumnType::kBool
                   ? json(column_ref<bool>(bars[r], col))
                   : json(std::to_string(column_ref<std::int64_t>(bars[r], col)));
      j["batches"][0]["columns"][c][r] = v;
    }
  }
  if (!write_file(dir + "/bars.arrow", bytes.data(), bytes.size())) return 1;
  const std::string bj = j.dump(1);
  if (!write_file(dir + "/bars.expect.json", bj.data(), bj.size())) return 1;

  // 2. A general table: nulls, unicode, metadata, three batches (one empty).
  Schema s;
  s.fields = {{"id", DataType::int64(), true, {{"unit", "count"}}},
              {"px", DataType::float64(), true, {}},
              {"ok", DataType::boolean(), true, {}},
              {"ts", DataType::timestamp(TimeUnit::kNano, "UTC"), true, {}},
              {"note", DataType::utf8(), true, {{"lang", "mixed"}}}};
  s.metadata = {{"producer", "harrier"}, {"empty", ""}};
  Table mixed{s, {}};
  const char* notes[] = {"", "plain", "comma, quote \" and\nnewline", "\xE2\x82\xAC \xE7\x9F\xA2"};
  for (int rows : {50, 0, 13}) {
    BatchBuilder b(s);
    for (int r = 0; r < rows; ++r) {
      const std::uint64_t x = splitmix(seed);
      for (std::size_t c = 0; c < s.fields.size(); ++c) {
        if ((x >> (c * 3)) % 5 == 0) {
          b.append_null(c);
          continue;
        }
        switch (c) {
          case 0:
            b.append_int(c, static_cast<std::int64_t>(splitmix(seed)));
            break;
          case 1:
            b.append_double(c, interesting_double(seed));
            break;
          case 2:
            b.append_bool(c, x % 2 == 0);
            break;
          case 3:
            b.append_int(c, static_cast<std::int64_t>(splitmix(seed) >> 1) - (1ll << 62));
            break;
          default:
            b.append_bytes(c, notes[x % 4]);
        }
      }
    }
    mixed.batches.push_back(std::move(b.finish()).value());
  }
  bytes.clear();
  if (!write_stream(mixed, bytes)) return 1;
  if (!write_file(dir + "/mixed.arrow", bytes.data(), bytes.size())) return 1;
  const std::string mj = table_json(mixed).dump(1);
  if (!write_file(dir + "/mixed.expect.json", mj.data(), mj.size())) return 1;
  std::printf("wrote bars.arrow (120 bars) and mixed.arrow (3 batches) to %s\n", dir.c_str());
  return 0;
}

int check_mode(const std::string& file, const std::string& expect_path) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  std::ifstream ein(expect_path);
  json want = json::parse(ein, nullptr, false);
  if (bytes.empty() || want.is_discarded()) {
    std::fprintf(stderr, "check: cannot read %s or %s\n", file.c_str(), expect_path.c_str());
    return 1;
  }
  auto table = read_ipc(bytes);
  if (!table) {
    std::fprintf(stderr, "check: %s: %s\n", file.c_str(), table.error().to_string().c_str());
    return 1;
  }
  json got = table_json(*table);
  int bad = 0;
  auto diff = [&](const std::string& what, const json& a, const json& b) {
    if (a == b) return;
    if (++bad <= 20) {
      std::fprintf(stderr, "check: %s: %s: harrier read %s, expected %s\n", file.c_str(),
                   what.c_str(), a.dump().c_str(), b.dump().c_str());
    }
  };
  diff("schema metadata", got["metadata"], want["metadata"]);
  diff("fields", got["fields"], want["fields"]);
  diff("batch count", got["batches"].size(), want["batches"].size());
  std::size_t values = 0;
  for (std::size_t b = 0; b < std::min(got["batches"].size(), want["batches"].size()); ++b) {
    diff("batch " + std::to_string(b) + " rows", got["batches"][b]["rows"],
         want["batches"][b]["rows"]);
    const json& gc = got["batches"][b]["columns"];
    const json& wc = want["batches"][b]["columns"];
    for (std::size_t c = 0; c < std::min(gc.size(), wc.size()); ++c) {
      for (std::size_t r = 0; r < std::min(gc[c].size(), wc[c].size()); ++r) {
        diff("batch " + std::to_string(b) + " column " + std::to_string(c) + " row " +
                 std::to_string(r),
             gc[c][r], wc[c][r]);
        ++values;
      }
    }
  }
  if (want.value("bars", false)) {
    auto decoded = decode_bars(bytes);
    if (!decoded) {
      std::fprintf(stderr, "check: %s: decode_bars: %s\n", file.c_str(),
                   decoded.error().to_string().c_str());
      return 1;
    }
    std::size_t row = 0;
    for (const json& batch : want["batches"]) {
      for (std::int64_t r = 0; r < batch["rows"].get<std::int64_t>(); ++r, ++row) {
        for (std::size_t c = 0; c < kBarColumnCount; ++c) {
          const ColumnDef& col = kBarColumns[c];
          const json& w = batch["columns"][c][static_cast<std::size_t>(r)];
          const Bar& bar = (*decoded)[row];
          json g = col.type == ColumnType::kFloat64 ? json(hex_bits(column_ref<double>(bar, col)))
                   : col.type == ColumnType::kBool
                       ? json(column_ref<bool>(bar, col))
                       : json(std::to_string(column_ref<std::int64_t>(bar, col)));
          if (w.is_null()) continue;  // a null float decodes as NaN; checked by the unit tests
          diff("decode_bars row " + std::to_string(row) + " " + std::string(col.name), g, w);
        }
      }
    }
  }
  if (bad > 0) {
    std::fprintf(stderr, "check: %s: %d differences\n", file.c_str(), bad);
    return 1;
  }
  std::printf("check: %s: schema and %zu values equal%s\n", file.c_str(), values,
              want.value("bars", false) ? " (and decode_bars agrees)" : "");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "write") return write_mode(argv[2]);
  if (argc == 4 && std::string(argv[1]) == "check") return check_mode(argv[2], argv[3]);
  std::fprintf(stderr, "usage: arrow_oracle_tool write DIR | check FILE EXPECT.json\n");
  return 2;
}
