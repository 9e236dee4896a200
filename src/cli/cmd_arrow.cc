// `harrier arrow cat FILE|-` prints any Arrow IPC stream or file Harrier decodes as CSV;
// `harrier arrow schema FILE|-` prints its schema. `-` reads standard input. The format (stream
// or file) is told by the leading "ARROW1" magic. Exit codes: 0 done, 1 unreadable or malformed
// input (the message names the place), 2 usage.
#include <cstdio>
#include <string>
#include <vector>

#include "arrow/csv.h"
#include "arrow/reader.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/subcommands.h"

namespace harrier::cli {
namespace {

// Reads all of `path` ("-" = stdin). Returns false with a message on stderr.
bool slurp(const std::string& path, std::vector<std::uint8_t>& out) {
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "harrier arrow: %s: cannot open\n", path.c_str());
    return false;
  }
  std::uint8_t buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  const bool failed = std::ferror(f) != 0;
  if (f != stdin) std::fclose(f);
  if (failed) std::fprintf(stderr, "harrier arrow: %s: read error\n", path.c_str());
  return !failed;
}

void put(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

}  // namespace

int run_arrow(std::span<char*> args) {
  ArgParser parser(
      "harrier arrow cat|schema FILE|-",
      "Print an Arrow IPC stream or file (`-` for stdin): `cat` as CSV (header row; nulls as\n"
      "empty fields, empty strings as \"\"; shortest round-trip floats; timestamps and other\n"
      "temporal types as the stored integer, ns for timestamp[ns]), `schema` as one line per\n"
      "field with its metadata.");
  std::vector<std::string> positional;
  parser.allow_positional("cat|schema FILE", &positional);
  if (auto code = parser.parse_or_exit(args)) return *code;
  if (positional.size() != 2 || (positional[0] != "cat" && positional[0] != "schema")) {
    std::fprintf(stderr, "harrier arrow: usage: harrier arrow cat|schema FILE|-\n");
    return kExitUsage;
  }
  const std::string& path = positional[1];
  std::vector<std::uint8_t> bytes;
  if (!slurp(path, bytes)) return kExitFailure;
  auto table = arrow::read_ipc(bytes);  // borrows `bytes`
  if (!table) {
    std::fprintf(stderr, "harrier arrow: %s: %s\n", path.c_str(),
                 table.error().to_string().c_str());
    return kExitFailure;
  }
  if (positional[0] == "schema") {
    put(arrow::describe_schema(table->schema));
    return kExitOk;
  }
  std::string out;
  arrow::append_csv_header(table->schema, out);
  put(out);
  for (const arrow::RecordBatch& batch : table->batches) {
    out.clear();
    arrow::append_csv_rows(table->schema, batch, out);
    put(out);
  }
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace harrier::cli
