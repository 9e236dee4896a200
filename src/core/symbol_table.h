// Interns ticker strings to dense SymbolIds (0, 1, 2, ...) so hot-path structs carry a
// 4-byte id instead of a string. Owned by one thread (the feed); ids are stable for the
// table's life. Names are upper-case tickers (ARCHITECTURE §2).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace harrier {

class SymbolTable {
 public:
  // Returns the id of `name`, adding it if new. Returns kInvalidInput if the name is empty,
  // longer than 32 bytes, or holds anything but A-Z, 0-9, '.', '-', '_' and '/'.
  Result<SymbolId> intern(std::string_view name);
  // kNoSymbol if unknown.
  SymbolId find(std::string_view name) const;
  // REQUIRES: id < size().
  const std::string& name(SymbolId id) const { return names_[id]; }
  std::size_t size() const { return names_.size(); }

  static Status validate(std::string_view name);

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, SymbolId> ids_;
};

}  // namespace harrier
