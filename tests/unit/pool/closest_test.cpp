// SPDX-License-Identifier: Apache-2.0
// geo's closest option: located clients get the members nearest them within the distance
// tolerance; clients the map cannot locate get the region order; the trace records the distances
// and the ECS scope covers both lookups.
#include <set>

#include "gslbd/pool/selection_trace.hpp"
#include "pool_test_support.hpp"

using namespace test;
using Names = std::set<std::string>;
using gslbd::geo::Coordinates;

namespace {

const Coordinates kFrankfurt{50.11, 8.68};
const Coordinates kParis{48.86, 2.35};
const Coordinates kNewYork{40.71, -74.0};
const Coordinates kTokyo{35.68, 139.69};

struct ClosestPool {
  World w;
  std::uint32_t p = 0;

  explicit ClosestPool(std::uint32_t tolerance_km = 100, std::uint32_t tolerance_percent = 0) {
    gslbd::geo::GeoMap map;
    REQUIRE(map.add(address("198.51.100.0"), 24, "eu"));
    REQUIRE(map.add(address("10.0.0.0"), 8, "us"));
    REQUIRE(map.add(address("10.9.0.0"), 16, "ap"));
    map.set_region_location(map.region_index("ap"), kTokyo);
    // Located clients: one near Frankfurt, one near Paris, one in New York (a /16 inside 10/8).
    REQUIRE(map.add_location(address("198.51.100.0"), 25, {50.0, 8.5}));
    REQUIRE(map.add_location(address("198.51.100.128"), 25, {48.9, 2.4}));
    REQUIRE(map.add_location(address("10.1.0.0"), 16, kNewYork));
    w.set.geo_maps.push_back(map);

    Pool pool = make_pool("near", PolicyKind::geo, 4);
    pool.all_down = AllDownAction::nodata;
    pool.geo.preference = {{"eu", {"eu"}}, {"us", {"us"}}};
    pool.geo.default_order = {"us"};
    pool.geo.closest = true;
    pool.geo.closest_tolerance_km = tolerance_km;
    pool.geo.closest_tolerance_percent = tolerance_percent;
    p = w.add(pool, {{"fra", "192.0.2.1", 100, 0, "eu"},
                     {"par", "192.0.2.2", 100, 0, "eu"},
                     {"nyc", "192.0.2.3", 100, 0, "us"},
                     {"tyo", "192.0.2.4", 100, 0, "ap"},
                     {"nowhere", "192.0.2.5", 100, 0, "us"}});
    auto& members = w.set.pools[p].members;
    const Coordinates at[] = {kFrankfurt, kParis, kNewYork, kTokyo};
    for (std::size_t i = 0; i < 4; ++i) {
      members[i].location = at[i];
      members[i].has_location = true;
    }
    w.finish();
  }
  Names answer(const char* source, int prefix = -1) {
    const auto n = names(w.select(p, 4, client(source, prefix)));
    return {n.begin(), n.end()};
  }
  std::uint8_t scope(const char* source, int prefix = -1) {
    return w.select(p, 4, client(source, prefix)).ecs_scope;
  }
};

}  // namespace

TEST_CASE("closest: a located client gets the nearest member, within the tolerance") {
  ClosestPool g;
  CHECK(g.answer("198.51.100.7") == Names{"fra"});
  CHECK(g.answer("198.51.100.200") == Names{"par"});
  CHECK(g.answer("10.1.2.3") == Names{"nyc"});
  // Frankfurt and Paris are about 480 km apart: a wide tolerance takes both.
  ClosestPool wide(600);
  CHECK(wide.answer("198.51.100.7") == Names{"fra", "par"});
  // The client is about 16 km from Frankfurt: +1000% reaches 180 km, +5000% 820 km.
  ClosestPool percent(0, 1000);
  CHECK(percent.answer("198.51.100.7") == Names{"fra"});
  ClosestPool more(0, 5000);
  CHECK(more.answer("198.51.100.7") == Names{"fra", "par"});
}

TEST_CASE("closest: a down member gives way to the next nearest") {
  ClosestPool g;
  g.w.set_health(g.p, "fra", down());
  CHECK(g.answer("198.51.100.7") == Names{"par"});
}

TEST_CASE("closest: a client located only by its region's point, and one not located at all") {
  ClosestPool g;
  // 10.9/16 is region ap, which has a point (Tokyo), but no network location.
  CHECK(g.answer("10.9.1.1") == Names{"tyo"});
  // 10.2.3.4 is in region us without a point of its own: the region order decides (all of us).
  CHECK(g.answer("10.2.3.4") == Names{"nyc", "nowhere"});
  // 8.8.8.8 is in no region: the default order (us).
  CHECK(g.answer("8.8.8.8") == Names{"nyc", "nowhere"});
}

TEST_CASE("closest: the ECS scope covers the location and the region lookups") {
  ClosestPool g;
  CHECK(g.scope("198.51.100.7") == 25);
  CHECK(g.scope("10.1.2.3") == 16);
  // In 10/8 but outside 10.1/16 and 10.9/16: the region lookup's scope (bits 12 and 14 part it
  // from them) or the location lookup's, whichever is longer.
  CHECK(g.scope("10.2.3.4") == 15);
}

TEST_CASE("closest: the trace holds distances, the band and the reasons") {
  ClosestPool g;
  auto trace = std::make_unique<gslbd::pool::SelectionTrace>();
  gslbd::pool::SelectContext context{g.w.rng, g.w.round_robin};
  const auto selection =
      gslbd::pool::select_members(g.w.set, g.p, 4, client("198.51.100.7"), context, trace.get());
  REQUIRE(selection.count == 1);
  const auto& pool = trace->pool[0];
  CHECK(pool.closest_decided);
  CHECK(pool.location_match.location >= 0);
  CHECK(pool.location_match.prefix == 25);
  CHECK(pool.geo_match.prefix == 24);
  CHECK(pool.closest_best_km == doctest::Approx(15.0).epsilon(0.3));
  CHECK(pool.closest_limit_km == doctest::Approx(pool.closest_best_km + 100));
  CHECK(pool.member[0].reason == gslbd::pool::MemberReason::chosen);
  CHECK(pool.member[1].reason == gslbd::pool::MemberReason::farther);
  CHECK(pool.member[1].distance_km ==
        doctest::Approx(gslbd::geo::great_circle_km({50.0, 8.5}, kParis)));
  CHECK(pool.member[4].reason == gslbd::pool::MemberReason::not_located);
}
