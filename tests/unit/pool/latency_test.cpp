// SPDX-License-Identifier: Apache-2.0
// The latency policy: the tolerance band around the best RTT, its edges, and unmeasured members.
#include <algorithm>
#include <cmath>
#include <set>

#include "pool_test_support.hpp"

using namespace test;

namespace {

// The members named over many answers (the band is then chosen among at random).
std::set<std::string> named(World& w, std::uint32_t pool) {
  std::set<std::string> out;
  for (int i = 0; i < 500; ++i) {
    for (const auto& n : names(w.select(pool))) out.insert(n);
  }
  return out;
}

}  // namespace

TEST_CASE("latency: percent tolerance band edge is inclusive") {
  World w;
  Pool pool = make_pool("lat", PolicyKind::latency, 1);
  pool.latency.tolerance_percent = 50;
  pool.latency.tolerance_min_us = 1000;
  const auto p = w.add(pool, {{"best", "192.0.2.1"}, {"edge", "192.0.2.2"}, {"out", "192.0.2.3"}});
  w.finish();
  // best 10 ms: limit max(15000, 11000) = 15000.
  w.set_health(p, "best", up(100, 10000));
  w.set_health(p, "edge", up(100, 15000));
  w.set_health(p, "out", up(100, 15001));
  CHECK(named(w, p) == std::set<std::string>{"best", "edge"});
}

TEST_CASE("latency: the minimum tolerance wins for small RTTs") {
  World w;
  Pool pool = make_pool("lat", PolicyKind::latency, 1);
  pool.latency.tolerance_percent = 50;
  pool.latency.tolerance_min_us = 1000;
  const auto p = w.add(pool, {{"best", "192.0.2.1"}, {"edge", "192.0.2.2"}, {"out", "192.0.2.3"}});
  w.finish();
  // best 1 ms: limit max(1500, 2000) = 2000.
  w.set_health(p, "best", up(100, 1000));
  w.set_health(p, "edge", up(100, 2000));
  w.set_health(p, "out", up(100, 2001));
  CHECK(named(w, p) == std::set<std::string>{"best", "edge"});
}

TEST_CASE("latency: weighted inside the band, down members ignored even if fastest") {
  World w;
  Pool pool = make_pool("lat", PolicyKind::latency, 1);
  const auto p = w.add(pool, {{"fast_down", "192.0.2.1", 100},
                              {"a", "192.0.2.2", 25},
                              {"b", "192.0.2.3", 75},
                              {"slow", "192.0.2.4", 100}});
  w.finish();
  w.set_health(p, "fast_down", down());
  w.set_health(p, "a", up(100, 20000));
  w.set_health(p, "b", up(100, 22000));
  w.set_health(p, "slow", up(100, 40000));
  const auto counts = tally(20000, [&] { return w.select(p); });
  CHECK(counts.count("fast_down") == 0);
  CHECK(counts.count("slow") == 0);
  CHECK(std::abs(counts.at("a") / 20000.0 - 0.25) < 0.02);
  CHECK(std::abs(counts.at("b") / 20000.0 - 0.75) < 0.02);
}

TEST_CASE("latency: no RTT yet means weighted among all serving members") {
  World w;
  const auto p = w.add(make_pool("lat", PolicyKind::latency, 1),
                       {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}, {"c", "192.0.2.3"}});
  w.finish();
  w.set_health(p, "c", down());
  CHECK(named(w, p) == std::set<std::string>{"a", "b"});
}

TEST_CASE("latency: unmeasured members wait while others have an RTT") {
  World w;
  const auto p = w.add(make_pool("lat", PolicyKind::latency, 3),
                       {{"measured", "192.0.2.1"}, {"new", "192.0.2.2"}});
  w.finish();
  w.set_health(p, "measured", up(100, 5000));
  CHECK(joined(w.select(p)) == "measured");
}
