// Reads every Arrow IPC gold file of apache/arrow-testing (tests/data/arrow_ipc, see its
// README.md) in both the stream and the file format, and compares the schema and every value with
// the integration JSON (.json.gz) written alongside by Arrow C++. Files with types Harrier does
// not decode must fail with kUnsupported naming the field and the type. Prints what was covered.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "arrow/reader.h"

namespace harrier::arrow {
namespace {

using nlohmann::json;

const std::string kDir = std::string(HARRIER_SOURCE_DIR) + "/tests/data/arrow_ipc/";

std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string gunzip_file(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return {};
  std::string out;
  char buf[65536];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  gzclose(f);
  return out;
}

// The expected DataType of an integration-JSON field type, or nullopt for types Harrier does not
// decode.
std::optional<DataType> json_type(const json& t) {
  const std::string name = t.at("name");
  auto unit = [&](const std::string& u) {
    if (u == "SECOND") return TimeUnit::kSecond;
    if (u == "MILLISECOND") return TimeUnit::kMilli;
    if (u == "MICROSECOND") return TimeUnit::kMicro;
    return TimeUnit::kNano;
  };
  DataType d;
  if (name == "null") return DataType::null();
  if (name == "bool") return DataType::boolean();
  if (name == "utf8") return DataType::utf8();
  if (name == "binary") return DataType::binary();
  if (name == "int") return DataType::integer(t.at("bitWidth"), t.at("isSigned"));
  if (name == "floatingpoint") {
    if (t.at("precision") == "DOUBLE") return DataType::float64();
    if (t.at("precision") == "SINGLE") return DataType::float32();
    return std::nullopt;
  }
  if (name == "fixedsizebinary") {
    d.id = TypeId::kFixedSizeBinary;
    d.byte_width = t.at("byteWidth");
    return d;
  }
  if (name == "date") {
    d.id = TypeId::kDate;
    const bool day = t.at("unit") == "DAY";
    d.bit_width = day ? 32 : 64;
    d.unit = day ? TimeUnit::kSecond : TimeUnit::kMilli;
    return d;
  }
  if (name == "time") {
    d.id = TypeId::kTime;
    d.bit_width = t.at("bitWidth");
    d.unit = unit(t.at("unit"));
    return d;
  }
  if (name == "timestamp") {
    return DataType::timestamp(unit(t.at("unit")), t.value("timezone", std::string()));
  }
  if (name == "duration") {
    d.id = TypeId::kDuration;
    d.bit_width = 64;
    d.unit = unit(t.at("unit"));
    return d;
  }
  return std::nullopt;
}

std::int64_t json_int(const json& v) {
  if (v.is_string()) {
    const std::string s = v;
    if (!s.empty() && s[0] != '-') return static_cast<std::int64_t>(std::stoull(s));
    return std::stoll(s);
  }
  if (v.is_number_unsigned()) return static_cast<std::int64_t>(v.get<std::uint64_t>());
  return v.get<std::int64_t>();
}

std::string hex_upper(std::string_view bytes) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// Compares one column with its JSON; returns the number of values checked.
std::int64_t expect_column(const Field& field, const ColumnView& col, const json& jc,
                           const std::string& where) {
  const std::int64_t n = jc.at("count");
  EXPECT_EQ(col.length, n) << where;
  if (field.type.id == TypeId::kNull) return 0;
  const json& validity = jc.at("VALIDITY");
  const json& data = jc.at("DATA");
  std::int64_t checked = 0;
  std::int64_t nulls = 0;
  for (std::int64_t r = 0; r < n; ++r) {
    const bool valid = validity[static_cast<std::size_t>(r)].get<int>() != 0;
    nulls += valid ? 0 : 1;
    EXPECT_EQ(col.is_valid(r), valid) << where << " row " << r;
    if (!valid) continue;
    const json& v = data[static_cast<std::size_t>(r)];
    const std::string at = where + " row " + std::to_string(r);
    switch (field.type.id) {
      case TypeId::kBool:
        EXPECT_EQ(col.bool_at(r), v.get<bool>()) << at;
        break;
      case TypeId::kFloat:
        if (field.type.bit_width == 32) {
          EXPECT_EQ(static_cast<float>(col.float_at(field.type, r)), v.get<float>()) << at;
        } else {
          EXPECT_EQ(col.float_at(field.type, r), v.get<double>()) << at;
        }
        break;
      case TypeId::kUtf8:
        EXPECT_EQ(col.string_at(r), v.get<std::string>()) << at;
        break;
      case TypeId::kBinary:
        EXPECT_EQ(hex_upper(col.string_at(r)), v.get<std::string>()) << at;
        break;
      case TypeId::kFixedSizeBinary: {
        const auto w = static_cast<std::size_t>(field.type.byte_width);
        std::string_view s(
            reinterpret_cast<const char*>(col.values) + static_cast<std::size_t>(r) * w, w);
        EXPECT_EQ(hex_upper(s), v.get<std::string>()) << at;
        break;
      }
      default:
        EXPECT_EQ(col.int_at(field.type, r), json_int(v)) << at;
        break;
    }
    ++checked;
  }
  EXPECT_EQ(col.null_count, nulls) << where;
  return checked;
}

struct Case {
  std::string dir, name;
  // For unsupported cases: the field and the type the error must name.
  std::string bad_field, bad_type;
};

const std::vector<Case> kCases = {
    {"1.0.0-littleendian", "datetime", "", ""},
    {"1.0.0-littleendian", "null", "", ""},
    {"1.0.0-littleendian", "null_trivial", "", ""},
    {"1.0.0-littleendian", "primitive", "", ""},
    {"1.0.0-littleendian", "primitive_no_batches", "", ""},
    {"1.0.0-littleendian", "primitive_zerolength", "", ""},
    {"2.0.0-compression", "lz4", "", ""},
    {"2.0.0-compression", "zstd", "", ""},
    {"2.0.0-compression", "uncompressible_lz4", "", ""},
    {"2.0.0-compression", "uncompressible_zstd", "", ""},
    {"1.0.0-littleendian", "custom_metadata", "list_with_odd_values", "type list"},
    {"1.0.0-littleendian", "decimal", "f0", "type decimal128(3, 2)"},
    {"1.0.0-littleendian", "decimal256", "f0", "type decimal256(37, 5)"},
    {"1.0.0-littleendian", "dictionary", "dict0", "type dictionary<utf8>"},
    {"1.0.0-littleendian", "dictionary_unsigned", "f0", "type dictionary<utf8>"},
    {"1.0.0-littleendian", "duplicate_fieldnames", "struct", "type struct"},
    {"1.0.0-littleendian", "extension", "dict_exts", "type dictionary<utf8>"},
    {"1.0.0-littleendian", "interval", "f5", "type interval[year_month]"},
    {"1.0.0-littleendian", "map", "map_nullable", "type map"},
    {"1.0.0-littleendian", "map_non_canonical", "map_other_names", "type map"},
    {"1.0.0-littleendian", "nested", "list_nullable", "type list"},
    {"1.0.0-littleendian", "nested_dictionary", "list_dict", "type dictionary<list>"},
    {"1.0.0-littleendian", "nested_large_offsets", "large_list_nullable", "type large_list"},
    {"1.0.0-littleendian", "primitive_large_offsets", "largebinary_nullable", "type large_binary"},
    {"1.0.0-littleendian", "recursive_nested", "lists_list", "type list"},
    {"1.0.0-littleendian", "union", "sparse", "type sparse_union"},
};

TEST(ArrowReference, EveryGoldFileReadsOrFailsByName) {
  std::vector<std::string> covered;
  std::int64_t values_checked = 0;
  for (const Case& c : kCases) {
    const std::string base = kDir + c.dir + "/generated_" + c.name;
    const json expected = json::parse(gunzip_file(base + ".json.gz"), nullptr, false);
    ASSERT_FALSE(expected.is_discarded()) << base << ".json.gz";
    for (const char* ext : {".stream", ".arrow_file"}) {
      const std::string path = base + ext;
      const std::vector<std::uint8_t> bytes = read_bytes(path);
      ASSERT_FALSE(bytes.empty()) << path;
      EXPECT_EQ(has_file_magic(bytes), std::string(ext) == ".arrow_file") << path;
      auto table = read_ipc(bytes);
      if (!c.bad_field.empty()) {
        ASSERT_FALSE(table) << path << " should be unsupported";
        EXPECT_EQ(table.error().code(), ErrorCode::kUnsupported) << table.error().to_string();
        const std::string& msg = table.error().message();
        EXPECT_NE(msg.find("'" + c.bad_field + "'"), std::string::npos) << path << ": " << msg;
        EXPECT_NE(msg.find(c.bad_type + " is not supported"), std::string::npos)
            << path << ": " << msg;
        covered.push_back(c.dir + "/" + c.name + ext + ": unsupported (" + msg + ")");
        continue;
      }
      ASSERT_TRUE(table) << path << ": " << table.error().to_string();
      const json& jfields = expected.at("schema").at("fields");
      ASSERT_EQ(table->schema.fields.size(), jfields.size()) << path;
      for (std::size_t i = 0; i < jfields.size(); ++i) {
        const Field& f = table->schema.fields[i];
        EXPECT_EQ(f.name, jfields[i].at("name").get<std::string>()) << path;
        EXPECT_EQ(f.nullable, jfields[i].at("nullable").get<bool>()) << path << " " << f.name;
        auto want = json_type(jfields[i].at("type"));
        ASSERT_TRUE(want.has_value()) << path << " " << f.name;
        EXPECT_EQ(f.type, *want) << path << " " << f.name << ": " << f.type.to_string();
      }
      const json& jbatches = expected.at("batches");
      ASSERT_EQ(table->batches.size(), jbatches.size()) << path;
      for (std::size_t b = 0; b < jbatches.size(); ++b) {
        const RecordBatch& batch = table->batches[b];
        EXPECT_EQ(batch.num_rows(), jbatches[b].at("count").get<std::int64_t>());
        const json& jcols = jbatches[b].at("columns");
        ASSERT_EQ(batch.num_columns(), jcols.size());
        for (std::size_t i = 0; i < jcols.size(); ++i) {
          values_checked += expect_column(
              table->schema.fields[i], batch.column(i), jcols[i],
              path + " batch " + std::to_string(b) + " " + table->schema.fields[i].name);
        }
      }
      covered.push_back(c.dir + "/" + c.name + ext + ": " + std::to_string(table->batches.size()) +
                        " batches, " + std::to_string(table->num_rows()) +
                        " rows, all values equal");
    }
  }
  std::printf("Arrow reference files covered (%zu):\n", covered.size());
  for (const std::string& s : covered) std::printf("  %s\n", s.c_str());
  std::printf("  %lld non-null values compared\n", static_cast<long long>(values_checked));
  EXPECT_EQ(covered.size(), 2 * kCases.size());
  EXPECT_GT(values_checked, 1000);
}

}  // namespace
}  // namespace harrier::arrow
