#include "broker/tws/encoder.h"

#include <cmath>

#include "broker/tws/wire.h"

namespace harrier::tws {

std::string_view tick_by_tick_type_name(TickByTickType t) {
  switch (t) {
    case TickByTickType::kLast:
      return "Last";
    case TickByTickType::kAllLast:
      return "AllLast";
    case TickByTickType::kBidAsk:
      return "BidAsk";
    case TickByTickType::kMidPoint:
      return "MidPoint";
  }
  return "Last";
}

namespace {

// The 12-field contract block: conId symbol secType lastTradeDateOrContractMonth strike right
// multiplier exchange primaryExch currency localSymbol tradingClass.
void contract_block(FrameWriter& w, const Contract& c) {
  w.id_or_empty(c.con_id)
      .str(c.symbol)
      .str(c.sec_type)
      .str(c.last_trade_date_or_contract_month)
      .dbl(c.strike)
      .str(c.right)
      .str(c.multiplier)
      .str(c.exchange)
      .str(c.primary_exchange)
      .str(c.currency)
      .str(c.local_symbol)
      .str(c.trading_class);
}

// A message that is only an id and a version ("49|1|").
Status id_version(std::string& out, std::string_view name, int id, int version) {
  FrameWriter w(out, name);
  w.i64(id).i64(version);
  return w.finish();
}

}  // namespace

Status Encoder::req_mkt_data(std::string& out, const MktDataRequest& r) const {
  FrameWriter w(out, "reqMktData");
  w.i64(out::kReqMktData).i64(11).i64(r.req_id);
  contract_block(w, r.contract);
  w.boolean(false);  // no delta-neutral contract (BAG legs are not supported)
  w.str(r.generic_ticks).boolean(r.snapshot).boolean(r.regulatory_snapshot);
  w.empty();  // mktDataOptions
  return w.finish();
}

Status Encoder::cancel_mkt_data(std::string& out, std::int32_t req_id) const {
  FrameWriter w(out, "cancelMktData");
  w.i64(out::kCancelMktData).i64(1).i64(req_id);
  return w.finish();
}

Status Encoder::req_market_data_type(std::string& out, std::int32_t type) const {
  if (type < 1 || type > 4) return invalid_input("tws encode reqMarketDataType: type not 1..4");
  FrameWriter w(out, "reqMarketDataType");
  w.i64(out::kReqMarketDataType).i64(1).i64(type);
  return w.finish();
}

Status Encoder::req_tick_by_tick_data(std::string& out, const TickByTickRequest& r) const {
  FrameWriter w(out, "reqTickByTickData");
  w.i64(out::kReqTickByTickData).i64(r.req_id);
  contract_block(w, r.contract);
  w.str(tick_by_tick_type_name(r.type)).i64(r.number_of_ticks).boolean(r.ignore_size);
  return w.finish();
}

Status Encoder::cancel_tick_by_tick_data(std::string& out, std::int32_t req_id) const {
  FrameWriter w(out, "cancelTickByTickData");
  w.i64(out::kCancelTickByTickData).i64(req_id);
  return w.finish();
}

Status Encoder::req_mkt_depth(std::string& out, const MktDepthRequest& r) const {
  FrameWriter w(out, "reqMktDepth");
  w.i64(out::kReqMktDepth).i64(5).i64(r.req_id);
  contract_block(w, r.contract);
  w.i64(r.num_rows).boolean(r.smart_depth).empty();  // mktDepthOptions
  return w.finish();
}

Status Encoder::cancel_mkt_depth(std::string& out, std::int32_t req_id, bool smart_depth) const {
  FrameWriter w(out, "cancelMktDepth");
  w.i64(out::kCancelMktDepth).i64(1).i64(req_id).boolean(smart_depth);
  return w.finish();
}

Status Encoder::req_mkt_depth_exchanges(std::string& out) const {
  FrameWriter w(out, "reqMktDepthExchanges");
  w.i64(out::kReqMktDepthExchanges);
  return w.finish();
}

Status Encoder::req_contract_details(std::string& out, const ContractDetailsRequest& r) const {
  const Contract& c = r.contract;
  FrameWriter w(out, "reqContractDetails");
  w.i64(out::kReqContractDetails).i64(8).i64(r.req_id);
  contract_block(w, c);
  // includeExpired is sent as 1 or empty (TWS reads empty as false), as @stoqey/ib sends it.
  w.str(c.include_expired ? "1" : "").str(c.sec_id_type).str(c.sec_id);
  if (sv_ >= sv::kBondIssuerId) w.str(c.issuer_id);
  return w.finish();
}

Status Encoder::req_sec_def_opt_params(std::string& out, const SecDefOptParamsRequest& r) const {
  FrameWriter w(out, "reqSecDefOptParams");
  w.i64(out::kReqSecDefOptParams)
      .i64(r.req_id)
      .str(r.underlying_symbol)
      .str(r.fut_fop_exchange)
      .str(r.underlying_sec_type)
      .i64(r.underlying_con_id);
  return w.finish();
}

Status Encoder::place_order(std::string& out, const Contract& c, const Order& o) const {
  if (o.action != "BUY" && o.action != "SELL") {
    return invalid_input("tws encode placeOrder: action must be BUY or SELL, not '" + o.action +
                         "'");
  }
  if (o.order_type.empty()) return invalid_input("tws encode placeOrder: orderType is empty");
  if (!std::isfinite(o.total_quantity) || o.total_quantity <= 0) {
    return invalid_input("tws encode placeOrder: totalQuantity must be positive");
  }
  if (c.sec_type == "BAG") return unsupported("tws encode placeOrder: combo (BAG) orders");
  FrameWriter w(out, "placeOrder");
  w.i64(out::kPlaceOrder);
  if (sv_ < sv::kOrderContainer) w.i64(45);
  w.i64(o.order_id);                                                // 2
  contract_block(w, c);                                             // 3..14
  w.str(c.sec_id_type).str(c.sec_id);                               // 15, 16
  w.str(o.action).dbl(o.total_quantity).str(o.order_type);          // 17..19
  w.dbl(o.lmt_price).dbl(o.aux_price);                              // 20, 21
  w.str(o.tif).str(o.oca_group).str(o.account).empty().empty();     // 22..26 openClose origin
  w.str(o.order_ref).boolean(o.transmit).id_or_empty(o.parent_id);  // 27..29
  w.empty().empty().empty().empty();  // 30..33 blockOrder sweepToFill displaySize triggerMethod
  w.boolean(o.outside_rth).empty();   // 34, 35 hidden
  w.empty();                          // 36 deprecated sharesAllocation
  w.empty().empty().empty();          // 37..39 discretionaryAmt goodAfterTime goodTillDate
  w.empty().empty().empty();          // 40..42 faGroup faMethod faPercentage
  if (sv_ < sv::kFaProfileDesupport) w.empty();  // faProfile
  // 43..81: modelCode shortSaleSlot designatedLocation exemptCode ocaType rule80A settlingFirm
  // allOrNone minQty percentOffset eTradeOnly firmQuoteOnly nbboPriceCap auctionStrategy
  // startingPrice stockRefPrice delta stockRangeLower stockRangeUpper
  // overridePercentageConstraints volatility volatilityType deltaNeutralOrderType
  // deltaNeutralAuxPrice continuousUpdate referencePriceType trailStopPrice trailingPercent
  // scaleInitLevelSize scaleSubsLevelSize scalePriceIncrement scaleTable activeStartTime
  // activeStopTime hedgeType optOutSmartRouting clearingAccount clearingIntent notHeld
  for (int i = 43; i <= 81; ++i) w.empty();
  w.boolean(false);  // 82 no delta-neutral contract
  w.empty();         // 83 algoStrategy
  w.empty();         // 84 algoId
  w.empty();         // 85 whatIf
  w.empty();         // 86 orderMiscOptions
  w.empty();         // 87 solicited
  w.empty();         // 88 randomizeSize
  w.empty();         // 89 randomizePrice
  w.i64(0);          // 90 conditions count
  // 91..97 adjustedOrderType triggerPrice lmtPriceOffset adjustedStopPrice
  // adjustedStopLimitPrice adjustedTrailingAmount adjustableTrailingUnit; 98 extOperator;
  // 99, 100 softDollarTier name, value; 101 cashQty; 102..105 mifid2 fields;
  // 106 dontUseAutoPriceForHedge; 107 isOmsContainer; 108 discretionaryUpToLimitPrice;
  // 109 usePriceMgmtAlgo; 110 duration; 111 postToAts; 112 autoCancelParent;
  // 113 advancedErrorOverride; 114 manualOrderTime
  for (int i = 91; i <= 114; ++i) w.empty();
  if (sv_ >= sv::kCustomerAccount) w.empty();       // 115 customerAccount
  if (sv_ >= sv::kProfessionalCustomer) w.empty();  // 116 professionalCustomer
  if (sv_ >= sv::kIncludeOvernight) w.empty();      // 117 includeOvernight
  if (sv_ >= sv::kCmeTaggingFields) w.empty();      // 118 manualOrderIndicator
  return w.finish();
}

Status Encoder::cancel_order(std::string& out, std::int64_t order_id,
                             std::string_view manual_order_cancel_time) const {
  FrameWriter w(out, "cancelOrder");
  w.i64(out::kCancelOrder);
  if (sv_ < sv::kCmeTaggingFields) w.i64(1);
  w.i64(order_id);
  if (sv_ >= sv::kManualOrderTime) w.str(manual_order_cancel_time);
  if (sv_ >= sv::kCmeTaggingFields) {
    w.empty();         // extOperator
    w.i64(kUnsetInt);  // manualOrderIndicator unset, sent as the sentinel (as captured)
  }
  return w.finish();
}

Status Encoder::req_open_orders(std::string& out) const {
  return id_version(out, "reqOpenOrders", out::kReqOpenOrders, 1);
}

Status Encoder::req_all_open_orders(std::string& out) const {
  return id_version(out, "reqAllOpenOrders", out::kReqAllOpenOrders, 1);
}

Status Encoder::req_auto_open_orders(std::string& out, bool auto_bind) const {
  FrameWriter w(out, "reqAutoOpenOrders");
  w.i64(out::kReqAutoOpenOrders).i64(1).boolean(auto_bind);
  return w.finish();
}

Status Encoder::req_completed_orders(std::string& out, bool api_only) const {
  FrameWriter w(out, "reqCompletedOrders");
  w.i64(out::kReqCompletedOrders).boolean(api_only);
  return w.finish();
}

Status Encoder::req_ids(std::string& out, std::int32_t num_ids) const {
  FrameWriter w(out, "reqIds");
  w.i64(out::kReqIds).i64(1).i64(num_ids);
  return w.finish();
}

Status Encoder::req_executions(std::string& out, std::int32_t req_id,
                               const ExecutionFilter& f) const {
  FrameWriter w(out, "reqExecutions");
  w.i64(out::kReqExecutions).i64(3).i64(req_id);
  w.i64(f.client_id).str(f.account).str(f.time).str(f.symbol).str(f.sec_type).str(f.exchange);
  w.str(f.side);
  return w.finish();
}

Status Encoder::req_positions(std::string& out) const {
  return id_version(out, "reqPositions", out::kReqPositions, 1);
}

Status Encoder::cancel_positions(std::string& out) const {
  return id_version(out, "cancelPositions", out::kCancelPositions, 1);
}

Status Encoder::req_account_updates(std::string& out, bool subscribe,
                                    std::string_view account) const {
  FrameWriter w(out, "reqAccountUpdates");
  w.i64(out::kReqAccountUpdates).i64(2).boolean(subscribe).str(account);
  return w.finish();
}

Status Encoder::req_account_summary(std::string& out, std::int32_t req_id, std::string_view group,
                                    std::string_view tags) const {
  FrameWriter w(out, "reqAccountSummary");
  w.i64(out::kReqAccountSummary).i64(1).i64(req_id).str(group).str(tags);
  return w.finish();
}

Status Encoder::cancel_account_summary(std::string& out, std::int32_t req_id) const {
  FrameWriter w(out, "cancelAccountSummary");
  w.i64(out::kCancelAccountSummary).i64(1).i64(req_id);
  return w.finish();
}

Status Encoder::req_managed_accts(std::string& out) const {
  return id_version(out, "reqManagedAccts", out::kReqManagedAccts, 1);
}

Status Encoder::req_current_time(std::string& out) const {
  return id_version(out, "reqCurrentTime", out::kReqCurrentTime, 1);
}

}  // namespace harrier::tws
