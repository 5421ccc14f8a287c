// SPDX-License-Identifier: Apache-2.0
// The pool-level min_healthy: with fewer serving members the pool counts as all down, for
// every policy, and its all_down action decides.
#include "gslbd/pool/min_healthy.hpp"

#include "gslbd/pool/selection_trace.hpp"
#include "pool_test_support.hpp"

using namespace test;

namespace {

constexpr PolicyKind kEveryPolicy[] = {PolicyKind::weighted, PolicyKind::round_robin,
                                       PolicyKind::latency,  PolicyKind::failover,
                                       PolicyKind::hash,     PolicyKind::least_load};

}  // namespace

TEST_CASE("min_healthy: the rule counts 0 as 1") {
  CHECK_FALSE(gslbd::pool::meets_min_healthy(0, 0));
  CHECK(gslbd::pool::meets_min_healthy(0, 1));
  CHECK_FALSE(gslbd::pool::meets_min_healthy(3, 2));
  CHECK(gslbd::pool::meets_min_healthy(3, 3));
}

TEST_CASE("min_healthy: fewer serving members than the pool asks is all down, for every policy") {
  for (const PolicyKind kind : kEveryPolicy) {
    CAPTURE(gslbd::pool::policy_name(kind));
    World w;
    Pool pool = make_pool("p", kind, 2);
    pool.pool_min_healthy = 2;
    pool.all_down = AllDownAction::nodata;
    const auto p = w.add(pool, {{"a", "10.0.0.1"}, {"b", "10.0.0.2"}, {"c", "10.0.0.3"}});
    w.finish();
    CHECK(w.select(p).count == 2);  // three serve
    w.set_health(p, "a", down());
    CHECK(w.select(p).count == 2);  // two serve: enough
    w.set_health(p, "b", drained());
    const Selection s = w.select(p);  // one serves: too few
    CHECK(s.count == 0);
    CHECK(s.outcome == Outcome::all_down);
    CHECK(s.degraded);
  }
}

TEST_CASE("min_healthy: serve_all then answers with every member, and fallback_pool moves on") {
  World w;
  Pool short_pool = make_pool("short", PolicyKind::weighted, 3);
  short_pool.pool_min_healthy = 3;
  const auto p = w.add(short_pool, {{"a", "10.0.0.1"}, {"b", "10.0.0.2"}, {"c", "10.0.0.3"}});
  Pool spare = make_pool("spare", PolicyKind::round_robin, 1);
  const auto q = w.add(spare, {{"s", "10.0.1.1"}});
  Pool chained = make_pool("chained", PolicyKind::round_robin, 3);
  chained.pool_min_healthy = 2;
  chained.all_down = AllDownAction::fallback_pool;
  chained.fallback_pool = static_cast<std::int32_t>(q);
  const auto r = w.add(chained, {{"x", "10.0.2.1"}, {"y", "10.0.2.2"}});
  w.finish();
  w.set_health(p, "c", down());
  const Selection all = w.select(p);
  CHECK(all.outcome == Outcome::all_down);
  CHECK(all.count == 3);  // serve_all: every member, c included

  w.set_health(r, "y", down());
  const Selection moved = w.select(r);
  CHECK(moved.outcome == Outcome::fallback);
  CHECK(names(moved) == std::vector<std::string>{"s"});
}

TEST_CASE("min_healthy: the trace says the pool was short and marks the serving members") {
  World w;
  Pool pool = make_pool("p", PolicyKind::weighted, 2);
  pool.pool_min_healthy = 2;
  pool.all_down = AllDownAction::servfail;
  const auto p = w.add(pool, {{"a", "10.0.0.1"}, {"b", "10.0.0.2"}});
  w.finish();
  w.set_health(p, "b", down());
  gslbd::pool::SelectionTrace trace;
  gslbd::pool::SelectContext context{w.rng, w.round_robin};
  const Selection s =
      gslbd::pool::select_members(w.set, p, 4, client("192.0.2.1"), context, &trace);
  CHECK(s.servfail);
  REQUIRE(trace.pools == 1);
  CHECK(trace.pool[0].below_min_healthy);
  CHECK(trace.pool[0].serving == 1);
  CHECK(trace.pool[0].all_down);
  CHECK(trace.pool[0].member[0].reason == gslbd::pool::MemberReason::pool_short);
  CHECK(trace.pool[0].member[1].reason == gslbd::pool::MemberReason::down);
}
