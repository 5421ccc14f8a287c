// SPDX-License-Identifier: Apache-2.0
// assign_health_slots: one slot per member in pool order, one more for a failover pool that
// remembers its group, and the initial health words the health loop starts from.
#include <doctest/doctest.h>

#include "gslbd/pool/pool_set.hpp"

using namespace gslbd;

namespace {

pool::Member member(const char* name, std::uint32_t priority, bool checked,
                    health::InitialState initial) {
  pool::Member m;
  m.name = name;
  m.priority = priority;
  m.initial_state = initial;
  if (checked) {
    health::CheckSpec check;
    check.type = health::CheckType::tcp;
    check.port = 80;
    m.checks.push_back(check);
  }
  return m;
}

}  // namespace

TEST_CASE("assign_health_slots: members in pool order, then a failover pool's group slot") {
  pool::PoolSet set;
  pool::Pool weighted;
  weighted.name = "w";
  weighted.members = {member("a", 0, false, health::InitialState::wait),
                      member("b", 0, true, health::InitialState::up)};
  pool::Pool failover;
  failover.name = "f";
  failover.policy = pool::PolicyKind::failover;
  failover.preempt = false;
  failover.members = {member("c", 20, true, health::InitialState::wait),
                      member("d", 10, true, health::InitialState::down)};
  pool::Pool preempting = failover;
  preempting.name = "p";
  preempting.preempt = true;
  set.pools = {weighted, failover, preempting};

  pool::assign_health_slots(set);

  REQUIRE(set.health);
  CHECK(set.health->size() == 7);  // 6 members and f's remembered group
  CHECK(set.pools[0].members[0].health_slot == 0);
  CHECK(set.pools[0].members[1].health_slot == 1);
  CHECK(set.pools[1].members[0].health_slot == 2);
  CHECK(set.pools[1].members[1].health_slot == 3);
  CHECK(set.pools[1].failover_slot == 4);
  CHECK(set.pools[2].members[0].health_slot == 5);
  CHECK(set.pools[2].members[1].health_slot == 6);

  const health::Health unchecked = set.health->read(0);
  CHECK(unchecked.up);
  CHECK(unchecked.known);
  const health::Health starts_up = set.health->read(1);
  CHECK(starts_up.up);
  CHECK_FALSE(starts_up.known);
  CHECK_FALSE(set.health->read(2).up);
  CHECK_FALSE(set.health->read(3).up);
  CHECK(set.health->read_word(4) == 10);  // the best priority of f
}
