// SPDX-License-Identifier: Apache-2.0
// PoolSet lookups used by the loader and the control plane.
#include "gslbd/pool/pool_set.hpp"

namespace gslbd::pool {

std::int32_t PoolSet::find(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < pools.size(); ++i) {
    if (pools[i].name == name) return static_cast<std::int32_t>(i);
  }
  return -1;
}

}  // namespace gslbd::pool
