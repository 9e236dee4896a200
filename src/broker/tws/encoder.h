// Encodes client requests into TWS frames (4-byte length + NUL-terminated fields) appended to
// a byte string, with the field layout of the negotiated server version (reference §3, gates
// §1.1). Each method appends exactly one frame, or nothing and an error. Errors: kInvalidInput
// when a string field holds a NUL byte (it would break framing) or a request is malformed
// (an order without action or type). Unset values are sent as empty fields, as @stoqey/ib
// does; TWS applies its defaults. Owned by one thread (the socket writer); not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "broker/tws/messages.h"
#include "core/result.h"

namespace harrier::tws {

// "Last", "AllLast", "BidAsk", "MidPoint" (case-sensitive on the wire).
std::string_view tick_by_tick_type_name(TickByTickType t);

class Encoder {
 public:
  // REQUIRES: server_version is the negotiated one (parse_server_hello accepted it).
  explicit Encoder(int server_version) : sv_(server_version) {}
  int server_version() const { return sv_; }

  // Market data.
  Status req_mkt_data(std::string& out, const MktDataRequest& r) const;
  Status cancel_mkt_data(std::string& out, std::int32_t req_id) const;
  Status req_market_data_type(std::string& out, std::int32_t type) const;
  Status req_tick_by_tick_data(std::string& out, const TickByTickRequest& r) const;
  Status cancel_tick_by_tick_data(std::string& out, std::int32_t req_id) const;
  Status req_mkt_depth(std::string& out, const MktDepthRequest& r) const;
  Status cancel_mkt_depth(std::string& out, std::int32_t req_id, bool smart_depth) const;
  Status req_mkt_depth_exchanges(std::string& out) const;

  // Contracts and option chains.
  Status req_contract_details(std::string& out, const ContractDetailsRequest& r) const;
  Status req_sec_def_opt_params(std::string& out, const SecDefOptParamsRequest& r) const;

  // Orders. place_order sends the 118-field layout of a plain STK/OPT LMT or MKT order
  // (no combo legs, algos, conditions, scale or volatility fields).
  Status place_order(std::string& out, const Contract& c, const Order& o) const;
  Status cancel_order(std::string& out, std::int64_t order_id,
                      std::string_view manual_order_cancel_time = {}) const;
  Status req_open_orders(std::string& out) const;
  Status req_all_open_orders(std::string& out) const;
  Status req_auto_open_orders(std::string& out, bool auto_bind) const;
  Status req_completed_orders(std::string& out, bool api_only) const;
  Status req_ids(std::string& out, std::int32_t num_ids = 1) const;
  Status req_executions(std::string& out, std::int32_t req_id, const ExecutionFilter& f) const;

  // Account and session.
  Status req_positions(std::string& out) const;
  Status cancel_positions(std::string& out) const;
  Status req_account_updates(std::string& out, bool subscribe, std::string_view account) const;
  Status req_account_summary(std::string& out, std::int32_t req_id, std::string_view group,
                             std::string_view tags) const;
  Status cancel_account_summary(std::string& out, std::int32_t req_id) const;
  Status req_managed_accts(std::string& out) const;
  Status req_current_time(std::string& out) const;

 private:
  int sv_;
};

}  // namespace harrier::tws
