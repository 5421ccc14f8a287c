// SPDX-License-Identifier: Apache-2.0
// The geo policy: client network -> region -> preference order -> sub-policy, with region
// fallback when a region is down, default order for unknown clients, and the ECS scope.
#include <set>

#include "pool_test_support.hpp"

using namespace test;
using Names = std::set<std::string>;

namespace {

struct GeoPool {
  World w;
  std::uint32_t p = 0;

  explicit GeoPool(PolicyKind within = PolicyKind::weighted,
                   AllDownAction all_down = AllDownAction::nodata) {
    gslbd::geo::GeoMap map;
    REQUIRE(map.add(address("198.51.100.0"), 24, "eu"));
    REQUIRE(map.add(address("203.0.113.0"), 24, "us"));
    REQUIRE(map.add(address("10.0.0.0"), 8, "us"));
    REQUIRE(map.add(address("10.1.0.0"), 16, "eu"));
    REQUIRE(map.add(address("2001:db8:e000::"), 48, "eu"));
    REQUIRE(map.add(address("192.0.2.0"), 24, "ap"));
    w.set.geo_maps.push_back(gslbd::geo::GeoMap{});  // the pool uses the second map
    w.set.geo_maps.push_back(map);

    Pool pool = make_pool("geo", PolicyKind::geo, 4);
    pool.all_down = all_down;
    pool.geo.geo_map = 1;
    pool.geo.within_region = within;
    pool.geo.preference = {{"eu", {"eu", "us"}}, {"us", {"us", "eu"}}};
    pool.geo.default_order = {"us"};
    p = w.add(pool, {{"eu1", "192.0.2.1", 100, 0, "eu"},
                     {"eu2", "192.0.2.2", 100, 0, "eu"},
                     {"us1", "192.0.2.3", 100, 0, "us"},
                     {"us2", "192.0.2.4", 100, 0, "us"},
                     {"ap1", "192.0.2.5", 100, 0, "ap"},
                     {"eu6", "2001:db8::e", 100, 0, "eu"},
                     {"us6", "2001:db8::5", 100, 0, "us"}});
    w.finish();
  }
  Names answer(const char* source, int prefix = -1, std::uint8_t family = 4) {
    const auto n = names(w.select(p, family, client(source, prefix)));
    return {n.begin(), n.end()};
  }
  std::uint8_t scope(const char* source, int prefix = -1, std::uint8_t family = 4) {
    return w.select(p, family, client(source, prefix)).ecs_scope;
  }
};

}  // namespace

TEST_CASE("geo: clients get the members of their region, scope = matched prefix") {
  GeoPool g;
  CHECK(g.answer("198.51.100.7") == Names{"eu1", "eu2"});
  CHECK(g.scope("198.51.100.7") == 24);
  CHECK(g.answer("203.0.113.7") == Names{"us1", "us2"});
  CHECK(g.scope("203.0.113.7") == 24);
  CHECK(g.answer("2001:db8:e000::1", -1, 6) == Names{"eu6"});
  CHECK(g.scope("2001:db8:e000::1", -1, 6) == 48);
  // v6 client asking A: the region comes from its own address.
  CHECK(g.answer("2001:db8:e000::1", -1, 4) == Names{"eu1", "eu2"});
}

TEST_CASE("geo: longest prefix decides, and the scope covers the more specific network") {
  GeoPool g;
  CHECK(g.answer("10.1.2.3") == Names{"eu1", "eu2"});
  CHECK(g.scope("10.1.2.3") == 16);
  CHECK(g.answer("10.2.3.4") == Names{"us1", "us2"});
  // Matched the /8, but 10.1/16 (another region) is inside it: 10.2.3.4 and 10.1.x.x differ
  // first in bit 14, so the answer holds for 10.2.0.0/15 only, not for 10/8.
  CHECK(g.scope("10.2.3.4") == 15);
  CHECK(g.scope("10.200.3.4") == 9);
}

TEST_CASE("geo: a down region falls to the next in the client's order") {
  GeoPool g;
  g.w.set_health(g.p, "eu1", down());
  g.w.set_health(g.p, "eu2", drained());
  const Selection s = g.w.select(g.p, 4, client("198.51.100.7"));
  CHECK(joined(s).find("us") == 0);
  CHECK(g.answer("198.51.100.7") == Names{"us1", "us2"});
  CHECK(s.outcome == Outcome::normal);
  CHECK(s.degraded);
  CHECK(s.ecs_scope == 24);
  // us clients are unaffected.
  CHECK(g.answer("203.0.113.7") == Names{"us1", "us2"});
}

TEST_CASE("geo: min_healthy applies per region") {
  GeoPool g;
  g.w.set.pools[g.p].min_healthy = 2;
  g.w.set_health(g.p, "eu1", down());
  CHECK(g.answer("198.51.100.7") == Names{"us1", "us2"});
  // No region has 2: the first in order with any serving member.
  g.w.set_health(g.p, "us1", down());
  CHECK(g.answer("198.51.100.7") == Names{"eu2"});
}

TEST_CASE("geo: clients in no region use the default order") {
  GeoPool g;
  CHECK(g.answer("8.8.8.8") == Names{"us1", "us2"});
  const Selection s = g.w.select(g.p, 4, client("8.8.8.8"));
  // Not 0: the resolver must not reuse this answer for networks that are in a region.
  CHECK(s.ecs_scope == g.w.set.geo_maps[1].lookup(client("8.8.8.8")).scope);
  CHECK(s.ecs_scope > 0);
  // A region without a preference entry (ap) also uses the default order.
  CHECK(g.answer("192.0.2.200") == Names{"us1", "us2"});
}

TEST_CASE("geo: a client prefix shorter than the network does not match it") {
  GeoPool g;
  // 198.51.0.0/16 reveals too little to be placed in 198.51.100.0/24 (eu): default order.
  CHECK(g.answer("198.51.0.0", 16) == Names{"us1", "us2"});
  CHECK(g.scope("198.51.0.0", 16) == 16);
  CHECK(g.answer("198.51.100.0", 24) == Names{"eu1", "eu2"});
}

TEST_CASE("geo: with every preferred region down the all-down action applies") {
  GeoPool g;
  for (const char* m : {"eu1", "eu2", "us1", "us2"}) g.w.set_health(g.p, m, down());
  // ap1 still serves, but no eu or us client is sent there.
  const Selection s = g.w.select(g.p, 4, client("198.51.100.7"));
  CHECK(s.count == 0);
  CHECK(s.outcome == Outcome::all_down);
  CHECK(s.ecs_scope == 24);  // other networks may still get answers
}

TEST_CASE("geo: serve_all fails open inside the preferred region") {
  GeoPool g(PolicyKind::weighted, AllDownAction::serve_all);
  for (const char* m : {"eu1", "eu2", "us1", "us2"}) g.w.set_health(g.p, m, down());
  const Selection s = g.w.select(g.p, 4, client("198.51.100.7"));
  CHECK(s.outcome == Outcome::all_down);
  CHECK(g.answer("198.51.100.7") == Names{"eu1", "eu2"});
}

TEST_CASE("geo: an empty order means every serving member") {
  GeoPool g;
  g.w.set.pools[g.p].geo.default_order.clear();
  g.w.set.pools[g.p].max_records = 8;
  CHECK(g.answer("8.8.8.8") == Names{"eu1", "eu2", "us1", "us2", "ap1"});
}

TEST_CASE("geo: sub-policies inside the region") {
  SUBCASE("round_robin") {
    GeoPool g(PolicyKind::round_robin);
    g.w.set.pools[g.p].max_records = 1;
    std::string seen;
    for (int i = 0; i < 4; ++i) seen += joined(g.w.select(g.p, 4, client("198.51.100.7")));
    CHECK(seen == "eu1eu2eu1eu2");
  }
  SUBCASE("hash: scope covers both the region and the hash prefix") {
    GeoPool g(PolicyKind::hash);
    g.w.set.pools[g.p].max_records = 1;
    g.w.set.pools[g.p].hash_prefix_v4 = 24;
    const Selection s = g.w.select(g.p, 4, client("10.2.3.4"));
    CHECK(s.ecs_scope == 24);  // max(15, 24)
    CHECK((joined(s) == "us1" || joined(s) == "us2"));
    CHECK(joined(g.w.select(g.p, 4, client("10.2.3.99"))) == joined(s));
    g.w.set.pools[g.p].hash_prefix_v4 = 12;
    CHECK(g.w.select(g.p, 4, client("10.2.3.4")).ecs_scope == 15);
  }
  SUBCASE("geo inside geo is treated as weighted") {
    GeoPool g(PolicyKind::geo);
    CHECK(g.answer("198.51.100.7") == Names{"eu1", "eu2"});
  }
}

TEST_CASE("geo: a geo_map index out of range places every client in no region") {
  GeoPool g;
  g.w.set.pools[g.p].geo.geo_map = 9;
  CHECK(g.answer("198.51.100.7") == Names{"us1", "us2"});
  CHECK(g.scope("198.51.100.7") == 0);
}
