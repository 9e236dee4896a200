#include "core/symbol_table.h"

namespace harrier {

Status SymbolTable::validate(std::string_view name) {
  if (name.empty()) return invalid_input("empty symbol");
  if (name.size() > 32) return invalid_input("symbol longer than 32 bytes");
  for (char c : name) {
    bool good = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                c == '_' || c == '/';
    if (!good) return invalid_input("symbol '" + std::string(name) + "' has a bad character");
  }
  return ok();
}

Result<SymbolId> SymbolTable::intern(std::string_view name) {
  if (auto it = ids_.find(std::string(name)); it != ids_.end()) return it->second;
  HARRIER_TRY(validate(name));
  auto id = static_cast<SymbolId>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  return id;
}

SymbolId SymbolTable::find(std::string_view name) const {
  auto it = ids_.find(std::string(name));
  return it == ids_.end() ? kNoSymbol : it->second;
}

}  // namespace harrier
