#include "strategy/strategy.h"

#include "strategy/ema_rsi_confluence.h"

namespace harrier::strategy {

Result<std::unique_ptr<Strategy>> make_strategy(const Config& cfg) {
  if (cfg.strategy.name == EmaRsiConfluence::kName) {
    HARRIER_ASSIGN_OR_RETURN(EmaRsiParams p, EmaRsiConfluence::params_from(cfg));
    return std::unique_ptr<Strategy>(std::make_unique<EmaRsiConfluence>(std::move(p)));
  }
  return invalid_input("key 'strategy.name': unknown strategy '" + cfg.strategy.name +
                       "' (known: ema_rsi_confluence)");
}

}  // namespace harrier::strategy
