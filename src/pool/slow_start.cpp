// SPDX-License-Identifier: Apache-2.0
#include "gslbd/pool/slow_start.hpp"

#include "gslbd/util/clock.hpp"

namespace gslbd::pool {

std::uint32_t ramp_permille(std::uint32_t slow_start_ms, std::uint64_t since_ms,
                            std::uint64_t now_ms) noexcept {
  if (slow_start_ms == 0 || since_ms == 0) return kFullPermille;
  const std::uint64_t elapsed = now_ms > since_ms ? now_ms - since_ms : 0;
  if (elapsed >= slow_start_ms) return kFullPermille;
  // elapsed < slow_start_ms < 2^32: the product stays below 2^42.
  return kRampFloorPermille +
         static_cast<std::uint32_t>((kFullPermille - kRampFloorPermille) * elapsed / slow_start_ms);
}

namespace detail {

std::uint32_t table_ramp_permille(const Member& member, const health::HealthTable& table,
                                  std::uint64_t& now_ms) noexcept {
  const std::uint64_t since = table.read_ramp(member.health_slot);
  if (since == 0) return kFullPermille;
  if (now_ms == 0) now_ms = util::monotonic_ms();
  return ramp_permille(member.slow_start_ms, since, now_ms);
}

}  // namespace detail

}  // namespace gslbd::pool
