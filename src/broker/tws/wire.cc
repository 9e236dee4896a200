#include "broker/tws/wire.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace harrier::tws {

std::string in_message_name(int id) {
  switch (id) {
    case in::kTickPrice:
      return "tickPrice";
    case in::kTickSize:
      return "tickSize";
    case in::kOrderStatus:
      return "orderStatus";
    case in::kError:
      return "error";
    case in::kOpenOrder:
      return "openOrder";
    case in::kAccountValue:
      return "updateAccountValue";
    case in::kPortfolioValue:
      return "updatePortfolio";
    case in::kAccountUpdateTime:
      return "updateAccountTime";
    case in::kNextValidId:
      return "nextValidId";
    case in::kContractData:
      return "contractDetails";
    case in::kExecutionData:
      return "execDetails";
    case in::kMarketDepth:
      return "updateMktDepth";
    case in::kMarketDepthL2:
      return "updateMktDepthL2";
    case in::kManagedAccounts:
      return "managedAccounts";
    case in::kTickOptionComputation:
      return "tickOptionComputation";
    case in::kTickGeneric:
      return "tickGeneric";
    case in::kTickString:
      return "tickString";
    case in::kCurrentTime:
      return "currentTime";
    case in::kContractDataEnd:
      return "contractDetailsEnd";
    case in::kOpenOrderEnd:
      return "openOrderEnd";
    case in::kAccountDownloadEnd:
      return "accountDownloadEnd";
    case in::kExecutionDataEnd:
      return "execDetailsEnd";
    case in::kTickSnapshotEnd:
      return "tickSnapshotEnd";
    case in::kMarketDataType:
      return "marketDataType";
    case in::kCommissionReport:
      return "commissionReport";
    case in::kPosition:
      return "position";
    case in::kPositionEnd:
      return "positionEnd";
    case in::kAccountSummary:
      return "accountSummary";
    case in::kAccountSummaryEnd:
      return "accountSummaryEnd";
    case in::kSecDefOptParams:
      return "securityDefinitionOptionParameter";
    case in::kSecDefOptParamsEnd:
      return "securityDefinitionOptionParameterEnd";
    case in::kMktDepthExchanges:
      return "mktDepthExchanges";
    case in::kTickReqParams:
      return "tickReqParams";
    case in::kTickByTick:
      return "tickByTick";
    case in::kOrderBound:
      return "orderBound";
    case in::kCompletedOrder:
      return "completedOrder";
    case in::kCompletedOrdersEnd:
      return "completedOrdersEnd";
    default:
      return fmt::format("msg{}", id);
  }
}

// ---------------------------------------------------------------------------------------------
// FrameWriter

FrameWriter::FrameWriter(std::string& out, std::string_view message)
    : out_(out), message_(message), start_(out.size()) {
  out_.append(4, '\0');
}

FrameWriter& FrameWriter::str(std::string_view s) {
  ++fields_;
  if (bad_field_ == 0 && s.find('\0') != std::string_view::npos) bad_field_ = fields_;
  out_.append(s);
  out_.push_back('\0');
  return *this;
}

FrameWriter& FrameWriter::i64(std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return str(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

FrameWriter& FrameWriter::dbl(double v) {
  if (std::isnan(v)) return empty();
  char buf[64];
  double a = std::fabs(v);
  std::to_chars_result r;
  if (a == 0 || (a >= 1e-6 && a < 1e21)) {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  } else {
    r = std::to_chars(buf, buf + sizeof buf, v);
  }
  if (r.ec != std::errc()) return str("");  // cannot happen with 64 bytes; keeps framing sane
  return str(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

Status FrameWriter::finish() {
  if (bad_field_ != 0) {
    out_.resize(start_);
    return invalid_input(
        fmt::format("tws encode {}: field {} contains a NUL byte", message_, bad_field_));
  }
  std::size_t len = out_.size() - start_ - 4;
  out_[start_ + 0] = static_cast<char>((len >> 24) & 0xFF);
  out_[start_ + 1] = static_cast<char>((len >> 16) & 0xFF);
  out_[start_ + 2] = static_cast<char>((len >> 8) & 0xFF);
  out_[start_ + 3] = static_cast<char>(len & 0xFF);
  return ok();
}

// ---------------------------------------------------------------------------------------------
// FieldReader

namespace {
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 32;
  std::string q = "\"";
  for (char c : s.substr(0, kMax)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) {
      q += fmt::format("\\x{:02x}", u);
    } else {
      q.push_back(c);
    }
  }
  if (s.size() > kMax) q += "...";
  q.push_back('"');
  return q;
}
}  // namespace

Error FieldReader::error(const char* field, std::string_view what) const {
  return protocol_error(fmt::format("tws msg {} ({}): field '{}': {}", msg_id_,
                                    in_message_name(msg_id_), field, what));
}

Error FieldReader::missing(const char* field) const {
  return error(field, pos_ >= data_.size() ? "missing (message ends early)"
                                           : "not NUL-terminated (truncated message)");
}

Result<std::string_view> FieldReader::str(const char* field) {
  std::string_view f;
  if (!next_field(f)) return missing(field);
  return f;
}

Status FieldReader::skip(const char* field) {
  auto s = str(field);
  if (!s) return std::move(s).error();
  return ok();
}

Result<std::int64_t> FieldReader::i64(const char* field) {
  std::string_view s;
  if (!next_field(s)) return missing(field);
  if (s.empty()) return std::int64_t{0};
  // Hand-rolled: ids and times are short, and this is the hot path of every message.
  const char* p = s.data();
  const char* end = p + s.size();
  bool negative = *p == '-';
  if (negative) ++p;
  if (p == end || end - p > 19) return error(field, "not an integer: " + quoted(s));
  std::uint64_t v = 0;
  for (; p < end; ++p) {
    auto d = static_cast<unsigned>(*p - '0');
    if (d > 9) return error(field, "not an integer: " + quoted(s));
    v = v * 10 + d;
  }
  // 19 digits fit in uint64; the signed range is checked here.
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (v > kMax + (negative ? 1 : 0)) return error(field, "out of 64-bit range: " + quoted(s));
  return negative ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v);
}

Result<std::int32_t> FieldReader::i32(const char* field) {
  HARRIER_ASSIGN_OR_RETURN(std::int64_t v, i64(field));
  if (v < std::numeric_limits<std::int32_t>::min() ||
      v > std::numeric_limits<std::int32_t>::max()) {
    return error(field, fmt::format("{} out of 32-bit range", v));
  }
  return static_cast<std::int32_t>(v);
}

namespace {
// Parses a finite double; the unset sentinel maps to NaN. nullopt-like false on bad text.
bool parse_finite(std::string_view s, double& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  if (!std::isfinite(v)) return false;
  if (v == kUnsetDouble) v = std::nan("");
  return true;
}
}  // namespace

Result<double> FieldReader::dbl(const char* field) {
  std::string_view s;
  if (!next_field(s)) return missing(field);
  if (s.empty()) return 0.0;
  double v = 0;
  if (!parse_finite(s, v)) return error(field, "not a finite number: " + quoted(s));
  return v;
}

Result<double> FieldReader::dbl_or_unset(const char* field) {
  std::string_view s;
  if (!next_field(s)) return missing(field);
  if (s.empty()) return std::nan("");
  double v = 0;
  if (!parse_finite(s, v)) return error(field, "not a finite number: " + quoted(s));
  return v;
}

Result<std::size_t> FieldReader::count(const char* field) {
  HARRIER_ASSIGN_OR_RETURN(std::int64_t n, i64(field));
  if (n < 0 || static_cast<std::uint64_t>(n) > remaining()) {
    return error(field, fmt::format("count {} impossible with {} bytes left", n, remaining()));
  }
  return static_cast<std::size_t>(n);
}

Result<bool> FieldReader::boolean(const char* field) {
  HARRIER_ASSIGN_OR_RETURN(std::int64_t v, i64(field));
  return v != 0;
}

}  // namespace harrier::tws
