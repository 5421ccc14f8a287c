#include "monitor_plan.hpp"

#include "gslbd/pool/selection.hpp"

namespace gslbd::app {

probe::MonitorPlan monitor_plan(std::shared_ptr<const pool::PoolSet> pools) {
  probe::MonitorPlan plan;
  if (!pools || !pools->health) {
    plan.table = std::make_shared<health::HealthTable>(0, health::Health{});
    return plan;
  }
  plan.table = pools->health;
  bool any_sticky_failover = false;
  for (const pool::Pool& pool : pools->pools) {
    any_sticky_failover |= pool.policy == pool::PolicyKind::failover && !pool.preempt;
    for (const pool::Member& member : pool.members) {
      probe::MonitoredMember monitored;
      monitored.key = pool.name + "/" + member.name;
      monitored.slot = member.health_slot;
      monitored.target = member.check_address;
      monitored.checks = member.checks;
      monitored.initial = member.initial_state;
      plan.members.push_back(std::move(monitored));
    }
  }
  if (any_sticky_failover) {
    // Without preempt, failover remembers its active group; the health loop, as the only
    // writer of the table, updates it whenever a member's state changes.
    plan.after_change = [pools](health::HealthTable& table) {
      for (const pool::Pool& pool : pools->pools) {
        if (pool.policy != pool::PolicyKind::failover || pool.preempt) continue;
        const auto previous = static_cast<std::uint32_t>(table.read_word(pool.failover_slot));
        table.write_word(pool.failover_slot, pool::failover_active_priority(pool, table, previous));
      }
    };
  }
  return plan;
}

}  // namespace gslbd::app
