#include "feed/replay_feed.h"

#include <algorithm>
#include <utility>

#include "feed/byte_source.h"

namespace harrier::feed {

ReplaySource parse_replay_source(std::string_view text) {
  ReplaySource src;
  const std::size_t eq = text.find('=');
  if (eq != std::string_view::npos && eq > 0 && text.find('/') > eq) {
    src.symbol = std::string(text.substr(0, eq));
    src.path = std::string(text.substr(eq + 1));
  } else {
    src.path = std::string(text);
  }
  return src;
}
Result<std::unique_ptr<ReplayFeed>> ReplayFeed::open(const ReplayOptions& options) {
  if (options.sources.empty()) return invalid_input("replay: no source files given");
  if (options.from_ns && options.to_ns && *options.from_ns >= *options.to_ns) {
    return invalid_input("replay: from (" + std::to_string(*options.from_ns) +
                         ") is not before to (" + std::to_string(*options.to_ns) + ")");
  }
  if (options.backwards_tolerance_ns < 0) {
    return invalid_input("replay: negative backwards tolerance");
  }
  if (options.buffer_bytes < 2) return invalid_input("replay: buffer_bytes below 2");
  for (const std::string& s : options.symbols) {
    if (Status st = SymbolTable::validate(s); !st) {
      return std::move(st).error().with_context("replay: symbol filter");
    }
  }

  auto ctx = std::make_unique<SourceContext>();
  ctx->symbol_filter = options.symbols;
  ctx->from_ns = options.from_ns;
  ctx->to_ns = options.to_ns;
  ctx->backwards_tolerance_ns = options.backwards_tolerance_ns;
  ctx->strict = options.strict;
  if (options.clock != nullptr) ctx->clock = options.clock;

  std::unique_ptr<ReplayFeed> feed(new ReplayFeed(std::move(ctx)));
  for (const ReplaySource& src : options.sources) {
    HARRIER_ASSIGN_OR_RETURN(auto bytes, open_file_source(src.path));
    HARRIER_ASSIGN_OR_RETURN(auto reader, SourceReader::open(std::move(bytes), src.path, src.symbol,
                                                             *feed->ctx_, options.buffer_bytes));
    feed->sources_.push_back(std::move(reader));
  }
  feed->heap_.reserve(feed->sources_.size());
  return feed;
}

bool ReplayFeed::later(const Head& a, const Head& b) {
  if (a.tick.ts_ns != b.tick.ts_ns) return a.tick.ts_ns > b.tick.ts_ns;
  return a.source > b.source;
}

Status ReplayFeed::pull(std::size_t i) {
  Head h{Tick{}, i};
  HARRIER_ASSIGN_OR_RETURN(bool got, sources_[i]->next(h.tick));
  if (got) {
    heap_.push_back(h);
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  return ok();
}

Result<bool> ReplayFeed::next(Tick& out) {
  if (failed_) return *failed_;
  if (!primed_) {
    primed_ = true;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      if (Status s = pull(i); !s) {
        failed_ = std::move(s).error();
        return *failed_;
      }
    }
  }
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), later);
  Head h = heap_.back();
  heap_.pop_back();
  out = h.tick;
  ++ctx_->stats.ticks;
  // Refill from the same source now; an error surfaces on the next call, after this tick.
  if (Status s = pull(h.source); !s) failed_ = std::move(s).error();
  return true;
}

}  // namespace harrier::feed
