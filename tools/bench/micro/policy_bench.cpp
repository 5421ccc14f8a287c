// SPDX-License-Identifier: Apache-2.0
// Pool policy selection (select_members) over an eight-member pool: each policy with every
// member up, and with three members down so that failover and geo move to their next choice.
#include <benchmark/benchmark.h>

#include "bench_fixtures.hpp"
#include "gslbd/pool/selection.hpp"

namespace {

using gslbd::pool::PolicyKind;

// The pool as the query path sees it: one pool in a PoolSet with the geo map and the health
// table, and a worker's randomness and round-robin counter.
struct PolicyWorld {
  PolicyWorld(PolicyKind policy, bool some_down) {
    set.pools.push_back(bench::eight_member_pool("bench", policy, 0));
    set.geo_maps.push_back(bench::bench_geo_map());
    gslbd::health::Health up;
    up.up = true;
    up.known = true;
    up.rtt_us = 900;
    set.health = std::make_shared<gslbd::health::HealthTable>(bench::kPoolMembers, up);
    if (some_down) bench::mark_some_down(set.pools[0], *set.health);
    // A client in eu (198.51.100.0/24), where m0..m3 are: with some down, geo must look on.
    client.address = bench::address("198.51.100.7");
    client.prefix = 32;
  }

  gslbd::pool::PoolSet set;
  gslbd::util::Rng rng{12345};
  std::vector<std::uint32_t> round_robin = std::vector<std::uint32_t>(1, 0);
  gslbd::util::Client client;
};

void BM_Select(benchmark::State& state, PolicyKind policy, bool some_down) {
  PolicyWorld world(policy, some_down);
  gslbd::pool::SelectContext context{world.rng, world.round_robin};
  for (auto _ : state) {
    const gslbd::pool::Selection selection =
        gslbd::pool::select_members(world.set, 0, 4, world.client, context);
    benchmark::DoNotOptimize(selection);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK_CAPTURE(BM_Select, weighted_all_up, PolicyKind::weighted, false);
BENCHMARK_CAPTURE(BM_Select, weighted_some_down, PolicyKind::weighted, true);
BENCHMARK_CAPTURE(BM_Select, hash_all_up, PolicyKind::hash, false);
BENCHMARK_CAPTURE(BM_Select, hash_some_down, PolicyKind::hash, true);
BENCHMARK_CAPTURE(BM_Select, round_robin_all_up, PolicyKind::round_robin, false);
BENCHMARK_CAPTURE(BM_Select, round_robin_some_down, PolicyKind::round_robin, true);
BENCHMARK_CAPTURE(BM_Select, failover_all_up, PolicyKind::failover, false);
BENCHMARK_CAPTURE(BM_Select, failover_some_down, PolicyKind::failover, true);
BENCHMARK_CAPTURE(BM_Select, geo_all_up, PolicyKind::geo, false);
BENCHMARK_CAPTURE(BM_Select, geo_some_down, PolicyKind::geo, true);
BENCHMARK_CAPTURE(BM_Select, latency_all_up, PolicyKind::latency, false);
BENCHMARK_CAPTURE(BM_Select, least_load_all_up, PolicyKind::least_load, false);
