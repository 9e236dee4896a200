// Streaming zstd decompression (ZSTD_decompressStream) over any ByteSource. Input is read in
// ZSTD_DStreamInSize() chunks and output goes straight into the caller's buffer, so memory
// stays constant whatever the file size.
#include <zstd.h>

#include <memory>
#include <string>
#include <vector>

#include "feed/byte_source.h"

namespace harrier::feed {
namespace {

struct DCtxDeleter {
  void operator()(ZSTD_DCtx* ctx) const { ZSTD_freeDCtx(ctx); }
};

class ZstdSource final : public ByteSource {
 public:
  ZstdSource(std::unique_ptr<ByteSource> inner, std::string name)
      : inner_(std::move(inner)),
        name_(std::move(name)),
        dctx_(ZSTD_createDCtx()),
        in_buf_(ZSTD_DStreamInSize()) {}

  Result<std::size_t> read(char* buf, std::size_t cap) override {
    if (dctx_ == nullptr) return internal_error(name_ + ": cannot create a zstd context");
    if (cap == 0) return std::size_t{0};
    while (true) {
      if (in_.pos == in_.size && !inner_eof_) {
        HARRIER_ASSIGN_OR_RETURN(std::size_t n, inner_->read(in_buf_.data(), in_buf_.size()));
        in_ = ZSTD_inBuffer{in_buf_.data(), n, 0};
        if (n == 0) inner_eof_ = true;
      }
      ZSTD_outBuffer out{buf, cap, 0};
      std::size_t in_before = in_.pos;
      std::size_t ret = ZSTD_decompressStream(dctx_.get(), &out, &in_);
      if (ZSTD_isError(ret)) {
        return invalid_input(name_ + ": corrupt zstd data: " + ZSTD_getErrorName(ret));
      }
      // ret == 0 means a frame just ended. A call that neither consumed nor produced bytes
      // says nothing new (with no input it asks for the next frame's header), so keep the
      // state of the last call that did.
      if (in_.pos != in_before || out.pos > 0) frame_open_ = ret != 0;
      if (out.pos > 0) return out.pos;
      if (inner_eof_ && in_.pos == in_.size) {
        // No more input and nothing flushed: either every frame is complete, or the file
        // ended inside one.
        if (frame_open_) return invalid_input(name_ + ": truncated zstd stream (ends mid-frame)");
        return std::size_t{0};
      }
    }
  }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::string name_;
  std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx_;
  std::vector<char> in_buf_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  bool inner_eof_ = false;
  bool frame_open_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> zstd_source(std::unique_ptr<ByteSource> inner, std::string name) {
  return std::make_unique<ZstdSource>(std::move(inner), std::move(name));
}

}  // namespace harrier::feed
