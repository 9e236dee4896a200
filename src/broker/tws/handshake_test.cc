// Handshake bytes and server-version negotiation. No live TWS is reachable here; the hello
// bytes are the ones captured from @stoqey/ib 1.6.10 (reference §2).
#include "broker/tws/handshake.h"

#include <gtest/gtest.h>

#include "broker/tws/test_util.h"
#include "broker/tws/wire.h"

namespace harrier::tws {
namespace {

using testing::payload;

TEST(TwsHandshake, HelloMatchesCapturedBytes) {
  const unsigned char want[] = {0x41, 0x50, 0x49, 0x00, 0x00, 0x00, 0x00, 0x09, 0x76,
                                0x31, 0x30, 0x30, 0x2e, 0x2e, 0x31, 0x39, 0x33};
  std::string hello = client_hello(kClientMinVersion, kClientMaxVersion);
  EXPECT_EQ(hello, std::string(reinterpret_cast<const char*>(want), sizeof want));
}

TEST(TwsHandshake, HelloWithConnectOptions) {
  std::string hello = client_hello(100, 193, "+PACEAPI");
  EXPECT_EQ(hello, std::string("API\0\0\0\0\x12v100..193 +PACEAPI", 4 + 4 + 18));
}

TEST(TwsHandshake, AcceptsTestedVersions) {
  for (int v : {176, 186, 190, 193}) {
    auto h = parse_server_hello(payload(std::to_string(v) + "|20250101 12:00:00 EST|"));
    ASSERT_TRUE(h) << v << ": " << h.error().to_string();
    EXPECT_EQ(h->server_version, v);
    EXPECT_EQ(h->connection_time, "20250101 12:00:00 EST");
  }
}

TEST(TwsHandshake, RefusesAServerBelowTheLowestTestedVersion) {
  auto h = parse_server_hello(payload("175|20250101 12:00:00 EST|"));
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(h.error().message().find("175 is below 176"), std::string::npos) << h.error().message();
}

TEST(TwsHandshake, RefusesTheRfqBandAndVersionsAboveTheAdvertisedRange) {
  for (int v : {187, 188, 189, 194, 213}) {
    auto h = parse_server_hello(payload(std::to_string(v) + "|t|"));
    ASSERT_FALSE(h) << v;
    EXPECT_EQ(h.error().code(), ErrorCode::kUnsupported) << v;
  }
}

TEST(TwsHandshake, GarbledReplyIsAProtocolError) {
  for (const char* p : {"", "abc|t|", "193|", "193", "-5|t|", "0|t|"}) {
    auto h = parse_server_hello(payload(p));
    ASSERT_FALSE(h) << p;
    EXPECT_EQ(h.error().code(), ErrorCode::kProtocol) << p;
  }
}

TEST(TwsHandshake, StartApiHasOptionalCapabilitiesFromVersion72) {
  std::string out;
  ASSERT_TRUE(encode_start_api(out, 193, 18, "+PACEAPI"));
  EXPECT_EQ(testing::pipes(out), "71|2|18|+PACEAPI|");
  out.clear();
  ASSERT_TRUE(encode_start_api(out, 71, 18, "x"));
  EXPECT_EQ(testing::pipes(out), "71|2|18|");
}

TEST(TwsHandshake, StartupIsReadyOnlyWithAccountsAndNextId) {
  StartupTracker t;
  EXPECT_FALSE(t.ready());
  t.have_next_id = true;
  EXPECT_FALSE(t.ready());
  t.have_accounts = true;
  EXPECT_TRUE(t.ready());
}

}  // namespace
}  // namespace harrier::tws
