// SPDX-License-Identifier: Apache-2.0
// All-down fallback pools: the chain, each pool's own action, and the hop bound.
#include "pool_test_support.hpp"

using namespace test;

namespace {

Pool falls_to(const std::string& name, std::int32_t target) {
  Pool p = make_pool(name, PolicyKind::weighted, 2);
  p.all_down = AllDownAction::fallback_pool;
  p.fallback_pool = target;
  return p;
}

Pool with_action(const std::string& name, AllDownAction action) {
  Pool p = make_pool(name, PolicyKind::weighted, 2);
  p.all_down = action;
  return p;
}

}  // namespace

TEST_CASE("fallback: an all-down pool answers from its fallback pool") {
  World w;
  const auto primary = w.add(falls_to("primary", 1), {{"p1", "192.0.2.1"}, {"p2", "192.0.2.2"}});
  const auto backup = w.add(with_action("backup", AllDownAction::nodata), {{"b1", "198.51.100.1"}});
  w.finish();
  Selection s = w.select(primary);
  CHECK(joined(s).size() == 5);  // "p1,p2" or "p2,p1"
  CHECK(s.outcome == Outcome::normal);

  w.set_health(primary, "p1", down());
  w.set_health(primary, "p2", down());
  s = w.select(primary);
  CHECK(joined(s) == "b1");
  CHECK(s.outcome == Outcome::fallback);
  CHECK(s.pool == &w.set.pools[backup]);
  CHECK(s.degraded);
  CHECK_FALSE(s.servfail);
}

TEST_CASE("fallback: a fallback pool that is also down applies its own action") {
  World w;
  const auto primary = w.add(falls_to("primary", 1), {{"p1", "192.0.2.1"}});
  const auto backup = w.add(with_action("backup", AllDownAction::nodata), {{"b1", "198.51.100.1"}});
  w.finish();
  w.set_health(primary, "p1", down());
  w.set_health(backup, "b1", down());

  SUBCASE("nodata") {
    const Selection s = w.select(primary);
    CHECK(s.count == 0);
    CHECK(s.outcome == Outcome::all_down);
    CHECK_FALSE(s.servfail);
    CHECK(s.pool == &w.set.pools[backup]);
  }
  SUBCASE("servfail") {
    w.set.pools[backup].all_down = AllDownAction::servfail;
    const Selection s = w.select(primary);
    CHECK(s.count == 0);
    CHECK(s.servfail);
    CHECK(s.outcome == Outcome::all_down);
  }
  SUBCASE("serve_all names the fallback pool's members") {
    w.set.pools[backup].all_down = AllDownAction::serve_all;
    const Selection s = w.select(primary);
    CHECK(joined(s) == "b1");
    CHECK(s.outcome == Outcome::all_down);
    CHECK(s.pool == &w.set.pools[backup]);
  }
}

TEST_CASE("fallback: chains are followed for kMaxFallbackHops hops, cycles end") {
  World w;
  // p0 -> p1 -> p2 -> p3 -> p4; only p4 serves, one hop too far.
  const auto p0 = w.add(falls_to("p0", 1), {{"a0", "192.0.2.1"}});
  const auto p1 = w.add(falls_to("p1", 2), {{"a1", "192.0.2.2"}});
  const auto p2 = w.add(falls_to("p2", 3), {{"a2", "192.0.2.3"}});
  const auto p3 = w.add(falls_to("p3", 4), {{"a3", "192.0.2.4"}});
  w.add(with_action("p4", AllDownAction::nodata), {{"a4", "192.0.2.5"}});
  w.finish();
  static_assert(gslbd::pool::kMaxFallbackHops == 3);
  for (auto [pool, member] : {std::pair{p0, "a0"}, {p1, "a1"}, {p2, "a2"}, {p3, "a3"}}) {
    w.set_health(pool, member, down());
  }
  // From p1 the serving p4 is three hops away: reached.
  Selection s = w.select(p1);
  CHECK(joined(s) == "a4");
  CHECK(s.outcome == Outcome::fallback);
  // From p0 it is four: p3 is the last pool consulted and answers as nodata.
  s = w.select(p0);
  CHECK(s.count == 0);
  CHECK(s.outcome == Outcome::all_down);
  CHECK(s.pool == &w.set.pools[p3]);

  // A cycle (the loader should refuse it) terminates too.
  w.set.pools[p1].fallback_pool = static_cast<std::int32_t>(p0);
  s = w.select(p0);
  CHECK(s.count == 0);
  CHECK(s.outcome == Outcome::all_down);
}

TEST_CASE("fallback: a bad or missing fallback index answers as nodata") {
  World w;
  const auto none = w.add(falls_to("none", -1), {{"a", "192.0.2.1"}});
  const auto bad = w.add(falls_to("bad", 42), {{"b", "192.0.2.2"}});
  w.finish();
  w.set_health(none, "a", down());
  w.set_health(bad, "b", down());
  for (const auto p : {none, bad}) {
    const Selection s = w.select(p);
    CHECK(s.count == 0);
    CHECK(s.outcome == Outcome::all_down);
    CHECK_FALSE(s.servfail);
  }
}

TEST_CASE("fallback: a fallback pool without the family gives nothing, outcome all_down") {
  World w;
  const auto primary = w.add(falls_to("primary", 1), {{"p6", "2001:db8::1"}});
  w.add(with_action("v4only", AllDownAction::nodata), {{"b1", "198.51.100.1"}});
  w.finish();
  w.set_health(primary, "p6", down());
  const Selection s = w.select(primary, 6);
  CHECK(s.count == 0);
  CHECK(s.outcome == Outcome::all_down);
}

TEST_CASE("fallback: the fallback pool uses its own policy") {
  World w;
  const auto primary = w.add(falls_to("primary", 1), {{"p1", "192.0.2.1"}});
  Pool rr = with_action("rr", AllDownAction::nodata);
  rr.policy = PolicyKind::round_robin;
  rr.max_records = 1;
  const auto backup = w.add(rr, {{"r1", "198.51.100.1"}, {"r2", "198.51.100.2"}});
  w.finish();
  w.set_health(primary, "p1", down());
  std::string seen;
  for (int i = 0; i < 4; ++i) seen += joined(w.select(primary));
  CHECK(seen == "r1r2r1r2");
  CHECK(w.round_robin[backup] == 4);  // the fallback pool's own counter
  CHECK(w.round_robin[primary] == 0);
}
