// SPDX-License-Identifier: Apache-2.0
// Turning a config's pools into the health loop's plan: every member with its checks, keyed by
// pool and member name so that a reload keeps the state of members that stay. Control thread.
#pragma once

#include <memory>
#include <vector>

#include "gslbd/pool/pool_set.hpp"
#include "gslbd/probe/health_loop.hpp"

namespace gslbd::probe {

// resolvers: where members given by host name are resolved (server.resolver).
MonitorPlan monitor_plan(std::shared_ptr<const pool::PoolSet> pools,
                         std::vector<ResolverEndpoint> resolvers = {});

}  // namespace gslbd::probe
