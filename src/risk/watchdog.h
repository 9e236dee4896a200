// Rogue-position watchdog (issue #5, P3), as pure logic: it compares what the broker says is
// held (paper:positions) with what the engine believes (position:{sym}) and decides which
// mismatches to raise. The telemetry role reads both sides from Redis, feeds them here every
// telemetry.watchdog_interval_ms, and publishes the alerts.
//
// A mismatch is either a rogue position (the broker holds a symbol the engine has no position
// for) or a size mismatch (both hold it with different quantities, or the engine holds a
// position the broker does not). Because P2 updates its two views one after the other, a
// mismatch is raised only once it has been seen in `confirm_cycles` consecutive checks, and then
// once only: the same mismatch (same symbol, kind and quantities) is not raised again while it
// lasts. When it goes away it is forgotten, and raised again if it comes back.
// Quantities are signed shares (> 0 long). Thread-safety: a plain value, one owner.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace harrier::risk {

enum class MismatchKind : std::uint8_t { kRoguePosition, kSizeMismatch };
// "rogue_position" | "size_mismatch" (the `kind` of the stream:alert entry).
std::string_view mismatch_kind_name(MismatchKind kind);

struct Mismatch {
  std::string sym;
  MismatchKind kind = MismatchKind::kRoguePosition;
  std::int64_t broker_qty = 0;  // 0 when the broker holds nothing
  std::int64_t engine_qty = 0;  // 0 when there is no position:{sym}
  bool operator==(const Mismatch&) const = default;
};

// Symbol -> signed quantity; entries with qty 0 count as absent.
using PositionMap = std::map<std::string, std::int64_t, std::less<>>;

// Every mismatch between the two views, ordered by symbol.
std::vector<Mismatch> diff_positions(const PositionMap& broker, const PositionMap& engine);

// "broker holds 100 SPY, engine holds none" for logs and the alert's detail.
std::string describe(const Mismatch& m);

class Watchdog {
 public:
  // REQUIRES: confirm_cycles >= 1.
  explicit Watchdog(int confirm_cycles = 2) : confirm_cycles_(confirm_cycles) {}

  // One check: returns the mismatches to raise now (confirmed and not raised before).
  std::vector<Mismatch> check(const PositionMap& broker, const PositionMap& engine);

  // Mismatches present in the last check (raised or still unconfirmed).
  std::size_t open_mismatches() const { return seen_.size(); }

 private:
  struct Seen {
    Mismatch m;
    int cycles = 0;
    bool raised = false;
  };
  int confirm_cycles_;
  std::map<std::string, Seen, std::less<>> seen_;  // by symbol
};

}  // namespace harrier::risk
