// CSV rendering of enriched bars, the offline format of `harrier bars --csv` that users and the
// pandas oracle read: `symbol,interval,` then every column of kBarColumns in schema order.
// Doubles in the shortest form that reads back to the same value (std::to_chars; NaN as
// "nan"), timestamps as integer ns, booleans as true/false, fields quoted per RFC 4180 where
// needed. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/interval.h"
#include "market/bar.h"

namespace harrier {

void append_bar_csv_header(std::string& out);
void append_bar_csv_row(std::string& out, std::string_view symbol, Interval iv, const Bar& bar);

}  // namespace harrier
