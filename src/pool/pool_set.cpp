// SPDX-License-Identifier: Apache-2.0
// PoolSet lookups and health slots, used by the loader and the control plane.
#include "gslbd/pool/pool_set.hpp"

#include <algorithm>

namespace gslbd::pool {

std::int32_t PoolSet::find(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < pools.size(); ++i) {
    if (pools[i].name == name) return static_cast<std::int32_t>(i);
  }
  return -1;
}

void assign_health_slots(PoolSet& set) {
  std::uint32_t slots = 0;
  for (Pool& pool : set.pools) {
    for (Member& member : pool.members) member.health_slot = slots++;
    if (pool.policy == PolicyKind::failover && !pool.preempt) pool.failover_slot = slots++;
  }
  set.health = std::make_shared<health::HealthTable>(slots, health::Health{});
  for (const Pool& pool : set.pools) {
    std::uint32_t best_priority = 0xffffffffu;
    for (const Member& member : pool.members) {
      health::Health initial;
      if (member.checks.empty()) {
        initial.up = true;  // nothing to check: always up
        initial.known = true;
      } else {
        initial.up = member.initial_state == health::InitialState::up;
      }
      set.health->write(member.health_slot, initial);
      best_priority = std::min(best_priority, member.priority);
    }
    if (pool.policy == PolicyKind::failover && !pool.preempt) {
      set.health->write_word(pool.failover_slot, best_priority);
    }
  }
}

}  // namespace gslbd::pool
