// SPDX-License-Identifier: Apache-2.0
// Slow start (HAProxy's slowstart, Envoy's slow start, F5's ramp-up): after a member recovers,
// its weight ramps linearly from kRampFloorPermille of its weight to all of it over the
// member's slow_start time. The health loop stores when each member last recovered (the
// table's ramp word); policies compute the share from it and the time now. One rule for the
// draw, /explain and /status. Any thread; noexcept; no allocation.
#pragma once

#include <cstdint>

#include "gslbd/health/health_table.hpp"
#include "gslbd/pool/pool.hpp"

namespace gslbd::pool {

inline constexpr std::uint32_t kFullPermille = 1000;
// The share a member starts its ramp with: enough that it gets some answers (and so some
// traffic to warm up with) from the first moment, as HAProxy's ramp does.
inline constexpr std::uint32_t kRampFloorPermille = 50;

// The member's share of its weight, in per mille: kFullPermille without slow start
// (slow_start_ms 0), without a recovery (since_ms 0), or once slow_start_ms have passed since
// since_ms; else floor + (1000 - floor) * elapsed / slow_start_ms. A clock behind since_ms
// counts as the start of the ramp.
std::uint32_t ramp_permille(std::uint32_t slow_start_ms, std::uint64_t since_ms,
                            std::uint64_t now_ms) noexcept;

// weight x permille / 1000, rounded down but at least 1 for a weight above 0 (a ramping member
// is never taken for a weight-0 one). Inline, as member_ramp_permille below: both run for every
// member of every pool answer.
inline std::uint64_t ramped_weight(std::uint64_t weight, std::uint32_t permille) noexcept {
  if (weight == 0 || permille >= kFullPermille) return weight;
  // weight < 2^40 (32-bit weight x agent percent): no overflow.
  const std::uint64_t ramped = weight * permille / kFullPermille;
  return ramped == 0 ? 1 : ramped;
}

namespace detail {
// member_ramp_permille for a serving member with slow start and a readable slot.
std::uint32_t table_ramp_permille(const Member& member, const health::HealthTable& table,
                                  std::uint64_t& now_ms) noexcept;
}  // namespace detail

// The share member's weight is drawn with now: ramp_permille of its ramp word in table while it
// serves, kFullPermille otherwise (a member that does not serve is not drawn). now_ms 0 is read
// from util::monotonic_ms() the first time a ramp needs it and kept for the caller's next
// member, so a pool without a ramping member never reads the clock.
inline std::uint32_t member_ramp_permille(const Member& member, const health::HealthTable& table,
                                          bool serving, std::uint64_t& now_ms) noexcept {
  if (member.slow_start_ms == 0 || !serving || member.health_slot >= table.size()) {
    return kFullPermille;
  }
  return detail::table_ramp_permille(member, table, now_ms);
}

}  // namespace gslbd::pool
