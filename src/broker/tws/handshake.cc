#include "broker/tws/handshake.h"

#include <algorithm>

#include <fmt/format.h>

#include "broker/tws/framing.h"
#include "broker/tws/wire.h"

namespace harrier::tws {

static_assert(kLowestTestedServerVersion == 176 && kClientMaxVersion == 193,
              "update the defaults in handshake.h");

std::string client_hello(int min_version, int max_version, std::string_view options) {
  std::string hello("API\0", 4);
  std::string range = fmt::format("v{}..{}", min_version, max_version);
  if (!options.empty()) {
    range.push_back(' ');
    range.append(options);
  }
  append_frame(hello, range);
  return hello;
}

Result<ServerHello> parse_server_hello(std::string_view payload, int lowest_tested,
                                       int max_advertised) {
  // The reply has no message id; the reader's id 0 names it in errors.
  FieldReader r(payload, 0);
  auto fail = [](std::string_view what) {
    return protocol_error(fmt::format("tws handshake: server reply {}", what));
  };
  auto version = r.i64("serverVersion");
  if (!version) return fail(version.error().message());
  auto time = r.str("connectionTime");
  if (!time) return fail(time.error().message());
  if (*version <= 0) return fail(fmt::format("has no server version ({})", *version));
  int v = static_cast<int>(std::min<std::int64_t>(*version, 1'000'000));
  if (v < lowest_tested) {
    return unsupported(fmt::format(
        "tws handshake: server version {} is below {}, the lowest Harrier is tested with; "
        "upgrade TWS / IB Gateway to a build from 2023 or later",
        v, lowest_tested));
  }
  if (v > max_advertised) {
    return unsupported(
        fmt::format("tws handshake: server chose version {} outside the advertised range v{}..{}",
                    v, kClientMinVersion, max_advertised));
  }
  if (v >= sv::kRfqFields && v < sv::kUndoRfqFields) {
    return unsupported(fmt::format(
        "tws handshake: server version {} is in the RFQ band 187..189 whose extra order fields "
        "Harrier does not send; upgrade or downgrade TWS / IB Gateway",
        v));
  }
  return ServerHello{v, std::string(*time)};
}

Status encode_start_api(std::string& out, int server_version, std::int32_t client_id,
                        std::string_view optional_capabilities) {
  FrameWriter w(out, "startApi");
  w.i64(out::kStartApi).i64(2).i64(client_id);
  if (server_version >= sv::kOptionalCapabilities) w.str(optional_capabilities);
  return w.finish();
}

}  // namespace harrier::tws
