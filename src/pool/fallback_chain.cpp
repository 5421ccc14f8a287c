// SPDX-License-Identifier: Apache-2.0
#include "gslbd/pool/fallback_chain.hpp"

#include "gslbd/pool/pool_set.hpp"

namespace gslbd::pool {

FallbackChain fallback_chain(const PoolSet& pools, std::uint32_t start) noexcept {
  FallbackChain chain;
  if (start >= pools.pools.size()) return chain;
  chain.pool[chain.count++] = start;
  for (;;) {
    const Pool& last = pools.pools[chain.pool[chain.count - 1]];
    if (last.all_down != AllDownAction::fallback_pool || last.fallback_pool < 0) return chain;
    const auto next = static_cast<std::uint32_t>(last.fallback_pool);
    if (next >= pools.pools.size()) {
      chain.end = ChainEnd::bad_index;
      return chain;
    }
    bool seen = false;
    for (std::uint32_t i = 0; i < chain.count; ++i) seen = seen || chain.pool[i] == next;
    chain.pool[chain.count++] = next;
    if (seen) {
      chain.end = ChainEnd::cycle;
      return chain;
    }
    if (chain.count - 1 > kMaxFallbackHops) {
      chain.end = ChainEnd::too_long;
      return chain;
    }
  }
}

}  // namespace gslbd::pool
