// Decodes one TWS payload (the bytes of a frame after its length prefix) into a Message.
// Every field is validated at the boundary: a bad or missing field returns kProtocol naming
// the message id and field ("tws msg 99 (tickByTick): field 'price': not a finite number").
// Message ids Harrier does not decode come back as UnknownMessage and are counted, never an
// error. The payload is never read past its end. Layouts follow the negotiated server
// version (reference §1.1, §4). Owned by one thread (the socket reader); not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "broker/tws/messages.h"
#include "core/result.h"

namespace harrier::tws {

struct DecoderStats {
  std::uint64_t decoded = 0;   // messages decoded, unknown ones included
  std::uint64_t unknown = 0;   // messages with an id Harrier does not decode (skipped)
  std::uint64_t rejected = 0;  // payloads that returned an error
  std::int32_t last_unknown_id = 0;
};

class Decoder {
 public:
  // REQUIRES: server_version is the negotiated one (parse_server_hello accepted it).
  explicit Decoder(int server_version) : server_version_(server_version) {}

  int server_version() const { return server_version_; }

  // Decodes one payload. Trailing fields after the last one Harrier reads are ignored (newer
  // servers append fields); openOrder is read up to permId and the rest skipped.
  Result<Message> decode(std::string_view payload);

  const DecoderStats& stats() const { return stats_; }

 private:
  int server_version_;
  DecoderStats stats_;
};

// Decodes the \uXXXX escapes TWS uses for non-ASCII text (sv >= 153) into UTF-8. Malformed
// escapes are kept as they are.
std::string decode_unicode_escapes(std::string_view s);

}  // namespace harrier::tws
