// A PieceSource over a list of byte views (the views' bytes must outlive it): how tests give
// CommandBatch::arg_pieces() an argument in pieces, as P1's described bar windows do.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "core/piece_source.h"

namespace harrier::testing {

class ListedPieces final : public PieceSource {
 public:
  explicit ListedPieces(std::vector<std::string_view> parts) : parts_(std::move(parts)) {}
  std::size_t size() const override {
    std::size_t n = 0;
    for (std::string_view p : parts_) n += p.size();
    return n;
  }
  void append_pieces(std::vector<std::string_view>& out) const override {
    out.insert(out.end(), parts_.begin(), parts_.end());
  }

 private:
  std::vector<std::string_view> parts_;
};

}  // namespace harrier::testing
