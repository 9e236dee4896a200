#include "roles/execute/execute.h"

#include <pthread.h>

#include "broker/paper_broker.h"
#include "broker/tws/ib_broker.h"
#include "broker/tws/ib_options.h"
#include "broker/tws/redis_order_id_store.h"
#include "cli/subcommands.h"
#include "core/log.h"
#include "roles/common/role.h"
#include "roles/execute/engine.h"
#include "strategy/strategy.h"

namespace harrier::roles::execute {

Status validate_config(const Config& cfg) {
  HARRIER_TRY(strategy::make_strategy(cfg));
  if (cfg.broker.kind == "ib") {
    HARRIER_TRY(tws::connection_options(cfg.ib, tws::IbRole::kExecute));
  } else if (cfg.broker.kind != "paper") {
    return invalid_input("key 'broker.kind': '" + cfg.broker.kind +
                         "' is not supported by harrier execute (paper or ib)");
  }
  return ok();
}

int run(std::span<char*> args) {
  return run_role(
      args, "execute",
      "P2: consume stream:new_bar and stream:exit_fire, evaluate the strategy on sealed bars, "
      "and send orders through the broker (paper, or ib: TWS / IB Gateway)",
      [](RoleContext& ctx) {
        pthread_setname_np(pthread_self(), "main");
        auto strat = strategy::make_strategy(ctx.config);
        if (!strat) {
          log::error("execute", "{}", strat.error().to_string());
          return 1;
        }
        // broker.kind = ib: the TWS connection of P2's client id, its order ids persisted in
        // Redis (ib:next_order_id:{client_id}) over a connection of its own. These outlive the
        // engine (declared before it); the engine's thread drives them through Broker::poll.
        std::unique_ptr<bus::Connection> ids_redis;
        std::unique_ptr<tws::RedisOrderIdStore> ids;
        std::unique_ptr<tws::Connection> tws_conn;
        std::unique_ptr<broker::Broker> broker;
        if (ctx.config.broker.kind == "ib") {
          auto co = tws::connection_options(ctx.config.ib, tws::IbRole::kExecute);
          if (!co) {
            log::error("execute", "{}", co.error().to_string());
            return 2;
          }
          ids_redis = std::make_unique<bus::Connection>(ctx.redis, ctx.clock);
          ids = std::make_unique<tws::RedisOrderIdStore>(*ids_redis, co->client_id);
          tws_conn = std::make_unique<tws::Connection>(*co, ctx.clock, *ids);
          broker = std::make_unique<tws::IbBroker>(*tws_conn, ctx.clock);
          tws_conn->start();
          log::info("execute", "strategy {} on {} bars, broker ib ({}:{} as client {})",
                    (*strat)->name(), interval_name((*strat)->trigger()), co->host, co->port,
                    co->client_id);
        } else {
          broker::PaperBrokerConfig pc;
          pc.latency_ms = ctx.config.broker.latency_ms;
          pc.slippage_bps = ctx.config.broker.slippage_bps;
          pc.silent_symbols = ctx.config.broker.paper_silent_symbols;
          broker = std::make_unique<broker::PaperBroker>(pc, ctx.clock);
          log::info(
              "execute", "strategy {} on {} bars, broker paper (latency {} ms, slippage {} bps)",
              (*strat)->name(), interval_name((*strat)->trigger()), pc.latency_ms, pc.slippage_bps);
        }
        Engine engine(ctx, std::move(*strat), std::move(broker));
        return engine.run();
      },
      validate_config);
}

}  // namespace harrier::roles::execute

namespace harrier::cli {

int run_execute(std::span<char*> args) { return roles::execute::run(args); }

}  // namespace harrier::cli
