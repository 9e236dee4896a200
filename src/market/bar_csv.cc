#include "market/bar_csv.h"

#include "core/text.h"

namespace harrier {

void append_bar_csv_header(std::string& out) {
  out += "symbol,interval";
  for (const ColumnDef& c : kBarColumns) {
    out += ',';
    out += c.name;
  }
  out += '\n';
}

void append_bar_csv_row(std::string& out, std::string_view symbol, Interval iv, const Bar& bar) {
  text::append_csv_field(out, symbol);
  out += ',';
  out += interval_name(iv);
  for (const ColumnDef& c : kBarColumns) {
    out += ',';
    switch (c.type) {
      case ColumnType::kTimestampNs:
      case ColumnType::kInt64:
        text::append_int(out, column_ref<std::int64_t>(bar, c));
        break;
      case ColumnType::kFloat64:
        text::append_double(out, column_ref<double>(bar, c));
        break;
      case ColumnType::kBool:
        out += column_ref<bool>(bar, c) ? "true" : "false";
        break;
    }
  }
  out += '\n';
}

}  // namespace harrier
