// SPDX-License-Identifier: Apache-2.0
// least_connections, response_time and bandwidth: members drawn in proportion to the spare
// capacity their balancer reports (load_weight), never all to the least loaded one.
#include <cmath>

#include "gslbd/pool/load_weight.hpp"
#include "pool_test_support.hpp"

using namespace test;
using gslbd::health::Load;
using gslbd::pool::load_weight;

namespace {

Load sessions(std::uint32_t current, std::uint32_t limit = 0) {
  Load load;
  load.known = true;
  load.sessions = current;
  load.session_limit = limit;
  return load;
}

Load response(std::uint32_t ms) {
  Load load;
  load.known = true;
  load.response_ms = ms;
  return load;
}

Load traffic(std::uint64_t in_per_s, std::uint64_t out_per_s) {
  Load load;
  load.known = true;
  load.bytes_in_per_s = in_per_s;
  load.bytes_out_per_s = out_per_s;
  return load;
}

double share(const std::map<std::string, int>& counts, const std::string& name, int rounds) {
  const auto it = counts.find(name);
  return it == counts.end() ? 0.0 : it->second / static_cast<double>(rounds);
}

}  // namespace

TEST_CASE("load_weight: least_connections with a session limit is the spare fraction") {
  gslbd::pool::Member m;
  m.weight = 100;
  const auto kind = PolicyKind::least_connections;
  CHECK(load_weight(kind, m, 100, sessions(0, 1000)) == 100 * 1024);
  CHECK(load_weight(kind, m, 100, sessions(500, 1000)) == 100 * 512);
  CHECK(load_weight(kind, m, 100, sessions(750, 1000)) == 100 * 256);
  // Full (or over the limit): the floor, not zero, so the shares move smoothly.
  CHECK(load_weight(kind, m, 100, sessions(1000, 1000)) == 100 * gslbd::pool::kLoadFloor);
  CHECK(load_weight(kind, m, 100, sessions(5000, 1000)) == 100 * gslbd::pool::kLoadFloor);
}

TEST_CASE("load_weight: least_connections without a limit counts sessions per weight") {
  gslbd::pool::Member m;
  m.weight = 100;
  const auto kind = PolicyKind::least_connections;
  CHECK(load_weight(kind, m, 100, sessions(0)) == 100 * 1024);
  CHECK(load_weight(kind, m, 100, sessions(100)) == 100 * 512);  // sessions = weight: half
  CHECK(load_weight(kind, m, 100, sessions(300)) == 100 * 256);
  // Sessions in proportion to weight keep the configured 2:1 ratio.
  gslbd::pool::Member big;
  big.weight = 200;
  CHECK(load_weight(kind, big, 200, sessions(400)) == 2 * load_weight(kind, m, 100, sessions(200)));
}

TEST_CASE("load_weight: response_time is inverse to the measured time, from 1 ms") {
  gslbd::pool::Member m;
  const auto kind = PolicyKind::response_time;
  CHECK(load_weight(kind, m, 100, response(10)) == 2 * load_weight(kind, m, 100, response(20)));
  CHECK(load_weight(kind, m, 100, response(0)) == load_weight(kind, m, 100, response(1)));
}

TEST_CASE("load_weight: bandwidth is the spare link capacity, by the busier direction") {
  gslbd::pool::Member gig;
  gig.bandwidth_bps = 1'000'000'000;
  gslbd::pool::Member ten;
  ten.bandwidth_bps = 10'000'000'000;
  const auto kind = PolicyKind::bandwidth;
  // Idle links: in proportion to capacity.
  CHECK(load_weight(kind, ten, 100, traffic(0, 0)) ==
        10 * load_weight(kind, gig, 100, traffic(0, 0)));
  // 500 Mbit/s out of 1 Gbit/s: half the idle weight, whatever comes in.
  const auto half = load_weight(kind, gig, 100, traffic(1'000'000, 62'500'000));
  CHECK(half == load_weight(kind, gig, 100, traffic(0, 0)) / 2);
  CHECK(load_weight(kind, gig, 100, traffic(62'500'000, 1'000'000)) == half);
  // Saturated: the floor (1/64 of its capacity), never 0.
  CHECK(load_weight(kind, gig, 100, traffic(0, 500'000'000)) == 100 * (1000 * 16 / 1024));
  // Absurd rates do not overflow.
  CHECK(load_weight(kind, gig, 100, traffic(~std::uint64_t{0}, ~std::uint64_t{0})) >= 1);
}

TEST_CASE("least_connections: answers are drawn in proportion, not all to the least loaded") {
  World w;
  const auto p = w.add(make_pool("lc", PolicyKind::least_connections, 1),
                       {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}});
  w.finish();
  w.set.health->write_load(w.slot_of(p, "a"), sessions(750, 1000));  // 1/4 spare
  w.set.health->write_load(w.slot_of(p, "b"), sessions(250, 1000));  // 3/4 spare
  const int rounds = 20000;
  const auto counts = tally(rounds, [&] { return w.select(p); });
  CHECK(std::abs(share(counts, "a", rounds) - 0.25) < 0.02);
  CHECK(std::abs(share(counts, "b", rounds) - 0.75) < 0.02);
}

TEST_CASE("load policies: health, drain, weight 0 and unknown load work as for the others") {
  for (const PolicyKind kind :
       {PolicyKind::least_connections, PolicyKind::response_time, PolicyKind::bandwidth}) {
    CAPTURE(static_cast<int>(kind));
    World w;
    auto pool = make_pool("l", kind, 1);
    const auto p =
        w.add(std::move(pool),
              {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}, {"c", "192.0.2.3", 0}, {"d", "192.0.2.4"}});
    for (auto& m : w.set.pools[p].members) m.bandwidth_bps = 1'000'000'000;
    w.finish();
    w.set_health(p, "a", down());
    w.set_health(p, "d", drained());
    // No figures yet for b: it counts as idle and is the only candidate with weight.
    const auto counts = tally(2000, [&] { return w.select(p); });
    CHECK(counts.size() == 1);
    CHECK(counts.count("b") == 1);
    // All down: serve_all still answers, from every member.
    w.set_health(p, "b", down());
    w.set_health(p, "c", down());
    w.set_health(p, "d", down());
    const auto s = w.select(p);
    CHECK(s.outcome == Outcome::all_down);
    CHECK(s.count == 1);
    CHECK(s.ecs_scope == 0);  // client-independent
  }
}

TEST_CASE("geo within_region: least_connections draws by load inside the region") {
  World w;
  auto pool = make_pool("g", PolicyKind::geo, 1);
  pool.geo.within_region = PolicyKind::least_connections;
  pool.geo.default_order = {"eu"};
  const auto p =
      w.add(std::move(pool), {{"a", "192.0.2.1", 100, 0, "eu"}, {"b", "192.0.2.2", 100, 0, "eu"}});
  w.set.geo_maps.emplace_back();
  w.finish();
  w.set.health->write_load(w.slot_of(p, "a"), sessions(900, 1000));
  w.set.health->write_load(w.slot_of(p, "b"), sessions(100, 1000));
  const int rounds = 20000;
  const auto counts = tally(rounds, [&] { return w.select(p); });
  CHECK(std::abs(share(counts, "b", rounds) - 0.9) < 0.02);
}
