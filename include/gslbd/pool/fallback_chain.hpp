// SPDX-License-Identifier: Apache-2.0
// The walk from a pool through its fallback pools (all_down: fallback_pool), bounded: the one
// rule for which pools an answer may come from, used by the selection, the pool reader's
// checks, the admin endpoints and /explain. Any thread; noexcept; no allocation.
#pragma once

#include <cstdint>

namespace gslbd::pool {

struct PoolSet;

// Fallback pools followed from the pool asked for: A -> B -> C -> D at most. A pool reached at
// this bound whose own action is fallback_pool answers as nodata. The loader refuses longer
// chains and cycles.
inline constexpr std::uint32_t kMaxFallbackHops = 3;

enum class ChainEnd : std::uint8_t {
  complete,   // the last pool has no fallback (or the first index was out of range: no pools)
  cycle,      // the last entry repeats an earlier pool
  too_long,   // the last entry is one hop past kMaxFallbackHops
  bad_index,  // the last pool's fallback index is out of range (never from the loader)
};

struct FallbackChain {
  // The pools walked, starting with the one asked for; on a cycle or a chain too long, the
  // offending pool is the last entry (for the loader's message), and not one the walk uses.
  std::uint32_t pool[kMaxFallbackHops + 2] = {};
  std::uint32_t count = 0;
  ChainEnd end = ChainEnd::complete;

  // How many of the entries an answer may come from, in order.
  std::uint32_t usable() const noexcept {
    return end == ChainEnd::cycle || end == ChainEnd::too_long ? count - 1 : count;
  }
  // Whether an answer for the first pool can name members of `index`.
  bool reaches(std::uint32_t index) const noexcept {
    for (std::uint32_t i = 0; i < usable(); ++i) {
      if (pool[i] == index) return true;
    }
    return false;
  }
};

// Walks from pools.pools[start] while a pool's all_down action is fallback_pool. A start out of
// range gives an empty chain.
FallbackChain fallback_chain(const PoolSet& pools, std::uint32_t start) noexcept;

}  // namespace gslbd::pool
