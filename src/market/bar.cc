#include "market/bar.h"

namespace harrier {

std::optional<std::size_t> bar_column_index(std::string_view name) {
  for (std::size_t i = 0; i < kBarColumns.size(); ++i) {
    if (kBarColumns[i].name == name) return i;
  }
  return std::nullopt;
}

}  // namespace harrier
