// SPDX-License-Identifier: Apache-2.0
#include "gslbd/probe/monitor_plan.hpp"

#include <string>

#include "gslbd/pool/selection.hpp"

namespace gslbd::probe {
namespace {

// The all-down action as the health loop's log lines name it (the config's spelling).
std::string all_down_text(const pool::PoolSet& pools, const pool::Pool& pool) {
  switch (pool.all_down) {
    case pool::AllDownAction::serve_all:
      return "serve_all (answers name every member, whatever its health)";
    case pool::AllDownAction::fallback_pool: {
      const bool valid = pool.fallback_pool >= 0 &&
                         static_cast<std::size_t>(pool.fallback_pool) < pools.pools.size();
      return "fallback_pool " +
             (valid ? pools.pools[static_cast<std::size_t>(pool.fallback_pool)].name
                    : std::string("?")) +
             " (answers come from that pool)";
    }
    case pool::AllDownAction::nodata:
      return "nodata (answers are empty)";
    case pool::AllDownAction::servfail:
      return "servfail (queries get SERVFAIL)";
  }
  return "unknown";
}

}  // namespace

MonitorPlan monitor_plan(std::shared_ptr<const pool::PoolSet> pools,
                         std::vector<ResolverEndpoint> resolvers) {
  MonitorPlan plan;
  plan.resolvers = std::move(resolvers);
  if (!pools || !pools->health) {
    plan.table = std::make_shared<health::HealthTable>(0, health::Health{});
    return plan;
  }
  plan.table = pools->health;
  bool any_sticky_failover = false;
  for (const pool::Pool& pool : pools->pools) {
    any_sticky_failover |= pool.policy == pool::PolicyKind::failover && !pool.preempt;
    const auto pool_index = static_cast<std::int32_t>(plan.pools.size());
    plan.pools.push_back(
        MonitoredPool{pool.name, all_down_text(*pools, pool), pool.pool_min_healthy});
    for (const pool::Member& member : pool.members) {
      MonitoredMember monitored;
      monitored.name = member.name;
      monitored.address = member.address;
      monitored.pool = pool_index;
      monitored.key = pool.name + "/" + member.name;
      monitored.slot = member.health_slot;
      monitored.target = member.check_address;
      if (member.check_address.family == 0 && member.target_record.size() > 2) {
        monitored.target_name = member.target;
        monitored.target_wire.assign(member.target_record.begin() + 2, member.target_record.end());
      }
      monitored.checks = member.checks;
      monitored.rule = member.healthy_when;
      monitored.initial = member.initial_state;
      monitored.consensus = pool.consensus;
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

}  // namespace gslbd::probe
