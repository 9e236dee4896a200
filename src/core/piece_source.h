// Bytes kept elsewhere, named as pieces only when they are written: P1's bar window describes
// its columns by a few numbers on the bar thread, and the IO thread lists the pieces (each
// column's rows where the window's ring keeps them) straight into its write. The source keeps
// every piece alive and unchanged while it lives.
// Thread-safety: const members may be called from any thread.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace harrier {

class PieceSource {
 public:
  virtual ~PieceSource() = default;
  // The bytes of all pieces together.
  virtual std::size_t size() const = 0;
  // Appends the pieces to `out`, in order: one after another they are the bytes.
  virtual void append_pieces(std::vector<std::string_view>& out) const = 0;
};

}  // namespace harrier
