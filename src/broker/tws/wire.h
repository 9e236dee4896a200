// TWS wire primitives: the protocol constants (message ids, server-version gates, sentinels)
// and the two field codecs every message goes through. A payload is a run of UTF-8 fields,
// each terminated by NUL; FrameWriter appends one length-prefixed frame to a byte string and
// FieldReader reads the fields of one payload with validation. See docs/tws.md.
// Thread-safety: plain values and stateless functions; a writer or reader is used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "core/result.h"

namespace harrier::tws {

// Version range Harrier advertises in the hello (identical to @stoqey/ib 1.6.10, so bytes are
// comparable) and the lowest server version whose message layouts are tested.
inline constexpr int kClientMinVersion = 100;
inline constexpr int kClientMaxVersion = 193;
inline constexpr int kLowestTestedServerVersion = 176;

// Server-version gates that change the bytes of a message Harrier speaks (reference §1.1).
namespace sv {
inline constexpr int kOptionalCapabilities = 72;
inline constexpr int kMarketCapPrice = 131;
inline constexpr int kLastLiquidity = 136;
inline constexpr int kOrderContainer = 145;
inline constexpr int kSmartDepth = 146;
inline constexpr int kEncodeMsgAscii7 = 153;
inline constexpr int kPriceBasedVolatility = 156;
inline constexpr int kSizeRules = 164;
inline constexpr int kAdvancedOrderReject = 166;
inline constexpr int kManualOrderTime = 169;
inline constexpr int kBondIssuerId = 176;
inline constexpr int kFaProfileDesupport = 177;
inline constexpr int kPendingPriceRevision = 178;
inline constexpr int kLastTradeDate = 182;
inline constexpr int kCustomerAccount = 183;
inline constexpr int kProfessionalCustomer = 184;
inline constexpr int kIneligibilityReasons = 186;
inline constexpr int kRfqFields = 187;      // 187..189 add placeOrder/cancelOrder fields ...
inline constexpr int kUndoRfqFields = 190;  // ... that 190 removes again; Harrier refuses 187..189
inline constexpr int kIncludeOvernight = 189;
inline constexpr int kPermIdAsLong = 191;
inline constexpr int kCmeTaggingFields = 192;
inline constexpr int kCmeTaggingFieldsInOpenOrder = 193;
}  // namespace sv

// Official "unset" sentinels. Both may appear literally on the wire; decoders map them to unset.
inline constexpr std::int64_t kUnsetInt = 2147483647;
inline constexpr double kUnsetDouble = std::numeric_limits<double>::max();

// Incoming message ids (server -> client).
namespace in {
enum Id : int {
  kTickPrice = 1,
  kTickSize = 2,
  kOrderStatus = 3,
  kError = 4,
  kOpenOrder = 5,
  kAccountValue = 6,
  kPortfolioValue = 7,
  kAccountUpdateTime = 8,
  kNextValidId = 9,
  kContractData = 10,
  kExecutionData = 11,
  kMarketDepth = 12,
  kMarketDepthL2 = 13,
  kManagedAccounts = 15,
  kTickOptionComputation = 21,
  kTickGeneric = 45,
  kTickString = 46,
  kCurrentTime = 49,
  kContractDataEnd = 52,
  kOpenOrderEnd = 53,
  kAccountDownloadEnd = 54,
  kExecutionDataEnd = 55,
  kTickSnapshotEnd = 57,
  kMarketDataType = 58,
  kCommissionReport = 59,
  kPosition = 61,
  kPositionEnd = 62,
  kAccountSummary = 63,
  kAccountSummaryEnd = 64,
  kSecDefOptParams = 75,
  kSecDefOptParamsEnd = 76,
  kMktDepthExchanges = 80,
  kTickReqParams = 81,
  kTickByTick = 99,
  kOrderBound = 100,
  kCompletedOrder = 101,
  kCompletedOrdersEnd = 102,
};
}  // namespace in

// Outgoing message ids (client -> server).
namespace out {
enum Id : int {
  kReqMktData = 1,
  kCancelMktData = 2,
  kPlaceOrder = 3,
  kCancelOrder = 4,
  kReqOpenOrders = 5,
  kReqAccountUpdates = 6,
  kReqExecutions = 7,
  kReqIds = 8,
  kReqContractDetails = 9,
  kReqMktDepth = 10,
  kCancelMktDepth = 11,
  kReqAutoOpenOrders = 15,
  kReqAllOpenOrders = 16,
  kReqManagedAccts = 17,
  kReqCurrentTime = 49,
  kReqMarketDataType = 59,
  kReqPositions = 61,
  kReqAccountSummary = 62,
  kCancelAccountSummary = 63,
  kCancelPositions = 64,
  kStartApi = 71,
  kReqSecDefOptParams = 78,
  kReqMktDepthExchanges = 82,
  kReqTickByTickData = 97,
  kCancelTickByTickData = 98,
  kReqCompletedOrders = 99,
};
}  // namespace out

// "tickByTick" for 99; "msg<id>" for an id Harrier does not know.
std::string in_message_name(int id);

// Appends one frame (4-byte big-endian length + fields) to `out`. Fields are written in call
// order; finish() patches the length. A string field holding a NUL byte would break framing:
// the writer remembers the first such field, and finish() then removes the partial frame
// from `out` and returns kInvalidInput naming the message and the field number.
// REQUIRES: `out` outlives the writer; nothing else appends to `out` until finish().
class FrameWriter {
 public:
  FrameWriter(std::string& out, std::string_view message);

  FrameWriter& str(std::string_view s);
  FrameWriter& i64(std::int64_t v);
  // Shortest decimal text that reads back to `v`, never in exponent form for |v| in
  // [1e-6, 1e21) ("500", "189.5", "0.0001"). NaN (Harrier's "unset") writes an empty field.
  FrameWriter& dbl(double v);
  FrameWriter& boolean(bool v) { return str(v ? "1" : "0"); }
  FrameWriter& empty() { return str({}); }
  // int64 where 0 means unknown (conId): 0 writes an empty field.
  FrameWriter& id_or_empty(std::int64_t v) { return v == 0 ? empty() : i64(v); }

  Status finish();

 private:
  std::string& out_;
  std::string_view message_;
  std::size_t start_;
  int fields_ = 0;
  int bad_field_ = 0;  // 1-based number of the first field with a NUL; 0 when none
};

// Reads the fields of one payload in order. Every getter names the field in its error:
// "tws msg 99 (tickByTick): field 'price': not a number: \"abc\"". A missing field (the
// payload ends early) and a last field without its NUL terminator are kProtocol errors.
// REQUIRES: the payload outlives the reader and every string_view it returned.
class FieldReader {
 public:
  FieldReader(std::string_view payload, int msg_id) : data_(payload), msg_id_(msg_id) {}

  void set_msg_id(int id) { msg_id_ = id; }
  bool at_end() const { return pos_ >= data_.size(); }
  // Bytes not yet read: an upper bound on the number of fields left (each takes >= 1 byte).
  std::size_t remaining() const { return data_.size() - pos_; }
  // A repeat count read from the wire: an error unless 0 <= n <= remaining(), so a lying
  // count can never drive a large allocation or a long loop.
  Result<std::size_t> count(const char* field);

  Result<std::string_view> str(const char* field);
  // Integers: an empty field reads as 0 (the official readInt). Out-of-range is an error.
  Result<std::int64_t> i64(const char* field);
  Result<std::int32_t> i32(const char* field);
  // Doubles: an empty field reads as 0 (official readDouble); the unset sentinel reads as NaN.
  // "nan"/"inf" are rejected.
  Result<double> dbl(const char* field);
  // Decimal sizes (sv >= 163) and "double max" fields: empty or the unset sentinel read as NaN.
  Result<double> dbl_or_unset(const char* field);
  // Booleans are integers: nonzero is true, empty is false.
  Result<bool> boolean(const char* field);
  Status skip(const char* field);

  Error error(const char* field, std::string_view what) const;

 private:
  // Advances past the next field; false (and pos_ unchanged) when none is complete.
  bool next_field(std::string_view& field) {
    const char* begin = data_.data() + pos_;
    const char* end = data_.data() + data_.size();
    for (const char* p = begin; p < end; ++p) {
      if (*p == '\0') {
        field = std::string_view(begin, static_cast<std::size_t>(p - begin));
        pos_ += field.size() + 1;
        return true;
      }
    }
    return false;
  }
  Error missing(const char* field) const;

  std::string_view data_;
  std::size_t pos_ = 0;
  int msg_id_;
};

}  // namespace harrier::tws
