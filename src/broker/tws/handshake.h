// The TWS API handshake, as bytes (no socket): the client hello, the server's version reply,
// the version check, and startApi. Sequence on a fresh connection:
//   client: client_hello()                 "API\0" + len + "v100..193" (not NUL-terminated)
//   server: one frame "serverVersion|connectionTime|"   -> parse_server_hello()
//   client: encode_start_api()             "71|2|clientId|optionalCapabilities|"
//   server: managedAccounts (15) and nextValidId (9) in either order, then notices
// The session is ready only once both 15 and 9 arrived (StartupTracker).
// Thread-safety: pure functions and plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace harrier::tws {

// "API\0" followed by the length-prefixed "v<min>..<max>" and, when `options` is not empty,
// " <options>" (e.g. "+PACEAPI").
std::string client_hello(int min_version, int max_version, std::string_view options = {});

struct ServerHello {
  int server_version = 0;
  std::string connection_time;  // "20250101 12:00:00 EST" as sent (the zone may hold spaces)
};

// Parses the first payload the server sends after the hello. Returns kProtocol when it is not
// two fields with an integer version, and kUnsupported (with a message saying what to do)
// when the version is below `lowest_tested`, inside the untested RFQ band 187..189, or above
// what the client advertised.
Result<ServerHello> parse_server_hello(std::string_view payload,
                                       int lowest_tested = 176 /* kLowestTestedServerVersion */,
                                       int max_advertised = 193 /* kClientMaxVersion */);

// Appends the startApi frame (71). optional_capabilities is sent only for sv >= 72.
Status encode_start_api(std::string& out, int server_version, std::int32_t client_id,
                        std::string_view optional_capabilities = {});

// Tracks the two messages that end the startup; order between them is not fixed.
struct StartupTracker {
  bool have_accounts = false;
  bool have_next_id = false;
  bool ready() const { return have_accounts && have_next_id; }
};

}  // namespace harrier::tws
