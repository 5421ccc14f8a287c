// SPDX-License-Identifier: Apache-2.0
// Proves select_members allocates nothing, with a trace or without: operator new is replaced by a
// counting one for this test binary (counting_new.cpp), and every policy, all-down action and
// fallback is exercised after setup.
#include <memory>

#include "counting_new.hpp"
#include "gslbd/pool/selection_trace.hpp"
#include "pool_test_support.hpp"

using namespace test;

TEST_CASE("select_members allocates nothing") {
  World w;
  gslbd::geo::GeoMap map;
  REQUIRE(map.add(address("198.51.100.0"), 24, "eu"));
  REQUIRE(map.add(address("10.0.0.0"), 8, "us"));
  const std::vector<MemberSpec> members = {{"a", "192.0.2.1", 10, 1, "eu"},
                                           {"b", "192.0.2.2", 20, 1, "us"},
                                           {"c", "192.0.2.3", 0, 2, "eu"},
                                           {"d", "2001:db8::d", 30, 2, "us"}};
  REQUIRE(map.add_location(address("198.51.100.0"), 25, {50.1, 8.7}));
  map.set_region_location(map.region_index("us"), {40.7, -74.0});
  w.set.geo_maps.push_back(map);
  std::vector<std::uint32_t> pools;
  for (auto kind :
       {PolicyKind::weighted, PolicyKind::round_robin, PolicyKind::latency, PolicyKind::failover,
        PolicyKind::hash, PolicyKind::geo, PolicyKind::least_load}) {
    Pool pool = make_pool("p", kind, 3);
    pool.geo.preference = {{"eu", {"eu", "us"}}};
    pool.geo.default_order = {"us"};
    pool.preempt = kind != PolicyKind::failover;
    pools.push_back(w.add(pool, members));
  }
  {
    // geo with its closest option: members with and without coordinates.
    Pool pool = make_pool("near", PolicyKind::geo, 3);
    pool.geo.preference = {{"eu", {"eu", "us"}}};
    pool.geo.default_order = {"us"};
    pool.geo.closest = true;
    pools.push_back(w.add(pool, members));
    w.set.pools.back().members[0].has_location = true;
    w.set.pools.back().members[0].location = {48.9, 2.4};
    w.set.pools.back().members[1].has_location = true;
    w.set.pools.back().members[1].location = {40.7, -74.0};
  }
  Pool falls = make_pool("falls", PolicyKind::weighted, 2);
  falls.all_down = AllDownAction::fallback_pool;
  falls.fallback_pool = 0;
  const auto down_pool = w.add(falls, {{"x", "192.0.2.9"}});
  w.finish();
  w.set_health(down_pool, "x", down());
  w.set_health(pools[2], "a", up(100, 3000));
  w.set_health(pools[6], "b", up(40));

  const gslbd::util::Client clients[] = {client("198.51.100.7"), client("10.1.2.3", 16),
                                         client("2001:db8::1"), client("8.8.8.8")};
  // The trace is the caller's (allocated here, before counting); filling it allocates nothing.
  const auto trace = std::make_unique<gslbd::pool::SelectionTrace>();
  gslbd::pool::SelectContext context{w.rng, w.round_robin};
  const long before = allocation_count();
  std::uint64_t total = 0;
  for (int round = 0; round < 200; ++round) {
    if (round == 100) {
      // Half-way, everything goes down: the all-down paths run too.
      for (const auto p : pools) {
        for (const char* m : {"a", "b", "c", "d"}) w.set_health(p, m, down());
      }
    }
    for (const auto& c : clients) {
      for (const auto p : pools) {
        for (std::uint8_t family : {std::uint8_t{4}, std::uint8_t{6}}) {
          total += w.select(p, family, c).count;
          total += gslbd::pool::select_members(w.set, p, family, c, context, trace.get()).count;
        }
      }
      total += w.select(down_pool, 4, c).count;
    }
  }
  CHECK(allocation_count() == before);
  CHECK(total > 0);
}
