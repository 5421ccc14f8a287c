// SPDX-License-Identifier: Apache-2.0
// The failover policy: priority order, min_healthy, preempt on and off, and the health loop's
// failover_active_priority that keeps a group active without preempt.
#include <algorithm>
#include <cmath>
#include <set>

#include "pool_test_support.hpp"

using namespace test;
using gslbd::pool::failover_active_priority;

namespace {

struct Failover {
  World w;
  std::uint32_t p = 0;
  std::uint32_t slot = 0;

  explicit Failover(bool preempt, std::uint32_t min_healthy = 1) {
    Pool pool = make_pool("fo", PolicyKind::failover, 2);
    pool.preempt = preempt;
    pool.min_healthy = min_healthy;
    // Listed out of priority order on purpose: groups are by priority, not position.
    p = w.add(pool, {{"c1", "192.0.2.31", 100, 30},
                     {"a1", "192.0.2.11", 100, 10},
                     {"a2", "192.0.2.12", 100, 10},
                     {"b1", "192.0.2.21", 100, 20},
                     {"b2", "192.0.2.22", 100, 20}});
    slot = w.reserve_slot();
    w.set.pools[p].failover_slot = slot;
    w.finish();
    w.set.health->write_word(slot, 10);
  }

  std::set<std::string> answer() {
    const auto n = names(w.select(p));
    return {n.begin(), n.end()};
  }
  // What the health loop does after each change.
  void health_loop_step() {
    const auto previous = static_cast<std::uint32_t>(w.set.health->read_word(slot));
    w.set.health->write_word(slot,
                             failover_active_priority(w.set.pools[p], *w.set.health, previous));
  }
  std::uint64_t active() const { return w.set.health->read_word(slot); }
};

using Names = std::set<std::string>;

}  // namespace

TEST_CASE("failover: lowest priority group first, then the next") {
  Failover f(true);
  CHECK(f.answer() == Names{"a1", "a2"});
  f.w.set_health(f.p, "a1", down());
  CHECK(f.answer() == Names{"a2"});  // min_healthy 1: a2 alone keeps group 10
  f.w.set_health(f.p, "a2", down());
  CHECK(f.answer() == Names{"b1", "b2"});
  f.w.set_health(f.p, "b1", drained());
  f.w.set_health(f.p, "b2", down());
  CHECK(f.answer() == Names{"c1"});
  const Selection s = f.w.select(f.p);
  CHECK(s.outcome == Outcome::normal);
  CHECK(s.degraded);
  CHECK(s.ecs_scope == 0);
  // Preempt: group 10 takes over again as soon as it recovers.
  f.w.set_health(f.p, "a1", up());
  CHECK(f.answer() == Names{"a1"});
}

TEST_CASE("failover: min_healthy moves on from a thin group") {
  Failover f(true, 2);
  f.w.set_health(f.p, "a1", down());
  CHECK(f.answer() == Names{"b1", "b2"});
  // No group has 2 serving: the first group with any serving member rather than nothing.
  f.w.set_health(f.p, "b1", down());
  CHECK(f.answer() == Names{"a2"});
}

TEST_CASE("failover: weighted inside the group, max_records bound") {
  Failover f(true);
  f.w.set.pools[f.p].max_records = 1;
  std::map<std::string, int> counts = tally(20000, [&] { return f.w.select(f.p); });
  CHECK(counts.size() == 2);
  CHECK(std::abs(counts["a1"] / 20000.0 - 0.5) < 0.02);
}

TEST_CASE("failover: without preempt the active group stays after a better one recovers") {
  Failover f(false);
  f.health_loop_step();
  CHECK(f.active() == 10);
  CHECK(f.answer() == Names{"a1", "a2"});

  f.w.set_health(f.p, "a1", down());
  f.w.set_health(f.p, "a2", down());
  f.health_loop_step();
  CHECK(f.active() == 20);
  CHECK(f.answer() == Names{"b1", "b2"});

  f.w.set_health(f.p, "a1", up());
  f.w.set_health(f.p, "a2", up());
  f.health_loop_step();
  CHECK(f.active() == 20);  // no preempt
  CHECK(f.answer() == Names{"b1", "b2"});

  // The active group failing hands over by the normal rule: back to 10.
  f.w.set_health(f.p, "b1", down());
  f.w.set_health(f.p, "b2", down());
  f.health_loop_step();
  CHECK(f.active() == 10);
  CHECK(f.answer() == Names{"a1", "a2"});
}

TEST_CASE(
    "failover: without preempt, select falls to the normal rule when the active group "
    "no longer qualifies") {
  Failover f(false);
  f.w.set.health->write_word(f.slot, 20);
  CHECK(f.answer() == Names{"b1", "b2"});
  // Before the health loop notices, select itself must not answer from a dead group.
  f.w.set_health(f.p, "b1", down());
  f.w.set_health(f.p, "b2", down());
  CHECK(f.answer() == Names{"a1", "a2"});
  // A word that names no group (e.g. the slot's initial value) also means the normal rule.
  f.w.set.health->write_word(f.slot, 0xffffffffffull);
  CHECK(f.answer() == Names{"a1", "a2"});
}

TEST_CASE("failover_active_priority: values when nothing qualifies") {
  Failover f(false, 2);
  f.w.set_health(f.p, "a1", down());
  f.w.set_health(f.p, "b1", down());
  // Nobody has 2 serving: the lowest group with any serving member.
  CHECK(failover_active_priority(f.w.set.pools[f.p], *f.w.set.health, 30) == 10);
  for (const char* m : {"a2", "b2", "c1"}) f.w.set_health(f.p, m, down());
  // Nothing serves: the most preferred group.
  CHECK(failover_active_priority(f.w.set.pools[f.p], *f.w.set.health, 20) == 10);
  // An empty pool keeps what it was given.
  Pool empty = make_pool("empty", PolicyKind::failover);
  CHECK(failover_active_priority(empty, *f.w.set.health, 7) == 7);
}
