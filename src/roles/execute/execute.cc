#include "roles/execute/execute.h"

#include <pthread.h>

#include "broker/paper_broker.h"
#include "cli/subcommands.h"
#include "core/log.h"
#include "roles/common/role.h"
#include "roles/execute/engine.h"
#include "strategy/strategy.h"

namespace harrier::roles::execute {

Status validate_config(const Config& cfg) {
  HARRIER_TRY(strategy::make_strategy(cfg));
  if (cfg.broker.kind != "paper") {
    return invalid_input("key 'broker.kind': '" + cfg.broker.kind +
                         "' is not supported by harrier execute (paper only)");
  }
  return ok();
}

int run(std::span<char*> args) {
  return run_role(
      args, "execute",
      "P2: consume stream:new_bar and stream:exit_fire, evaluate the strategy on sealed bars, "
      "and send orders through the broker (paper)",
      [](RoleContext& ctx) {
        pthread_setname_np(pthread_self(), "main");
        auto strat = strategy::make_strategy(ctx.config);
        if (!strat) {
          log::error("execute", "{}", strat.error().to_string());
          return 1;
        }
        broker::PaperBrokerConfig pc;
        pc.latency_ms = ctx.config.broker.latency_ms;
        pc.slippage_bps = ctx.config.broker.slippage_bps;
        pc.silent_symbols = ctx.config.broker.paper_silent_symbols;
        auto broker = std::make_unique<broker::PaperBroker>(pc, ctx.clock);
        log::info(
            "execute", "strategy {} on {} bars, broker paper (latency {} ms, slippage {} bps)",
            (*strat)->name(), interval_name((*strat)->trigger()), pc.latency_ms, pc.slippage_bps);
        Engine engine(ctx, std::move(*strat), std::move(broker));
        return engine.run();
      },
      validate_config);
}

}  // namespace harrier::roles::execute

namespace harrier::cli {

int run_execute(std::span<char*> args) { return roles::execute::run(args); }

}  // namespace harrier::cli
