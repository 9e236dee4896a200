#include "roles/telemetry/broker_positions.h"

#include <cmath>

#include "core/symbol_table.h"

namespace harrier::roles::telemetry {

Result<std::optional<BrokerRead>> PaperPositionSource::read() {
  HARRIER_ASSIGN_OR_RETURN(BrokerRead r, read_broker_positions(conn_));
  return std::optional<BrokerRead>(std::move(r));
}

IbPositionSource::IbPositionSource(tws::ConnectionOptions opts, const Clock& clock)
    : conn_(std::move(opts), clock, ids_, this) {
  conn_.start();
}

IbPositionSource::~IbPositionSource() { conn_.set_handler(nullptr); }

void IbPositionSource::poll() {
  for (int i = 0; i < 64 && conn_.do_work() > 0; ++i) {
  }
}

Result<std::optional<BrokerRead>> IbPositionSource::read() {
  poll();
  if (!synced_) return std::optional<BrokerRead>();
  BrokerRead out;
  for (const auto& [sym, qty] : held_) {
    if (!std::isfinite(qty) || std::fabs(qty) > 1e12) {
      out.bad.push_back(invalid_input("tws position '" + sym + "': quantity not a number"));
      continue;
    }
    if (auto st = SymbolTable::validate(sym); !st) {
      out.bad.push_back(invalid_input("tws position '" + sym.substr(0, 32) + "': bad symbol"));
      continue;
    }
    const std::int64_t q = std::llround(qty);
    if (q != 0) out.held[sym] = q;
  }
  return std::optional<BrokerRead>(std::move(out));
}

void IbPositionSource::on_message(const tws::Message& m, tws::SubId) {
  if (const auto* p = std::get_if<tws::Position>(&m)) {
    const std::string& account = conn_.options().account;
    if (p->contract.sec_type != "STK" || (!account.empty() && p->account != account)) return;
    held_[p->contract.symbol] = p->position;
  } else if (std::holds_alternative<tws::PositionEnd>(m)) {
    synced_ = true;
  }
}

void IbPositionSource::on_state(tws::SessionState, tws::SessionState to, std::string_view) {
  if (to == tws::SessionState::kWaiting || to == tws::SessionState::kStopped) {
    // The session is gone: what TWS holds is unknown until the next re-sync's positionEnd.
    synced_ = false;
    held_.clear();
  }
}

}  // namespace harrier::roles::telemetry
