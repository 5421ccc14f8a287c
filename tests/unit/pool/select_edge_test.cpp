// SPDX-License-Identifier: Apache-2.0
// select_members edge cases: empty pools, bad indices, max_records clamping, health slots past
// the table, no table at all; and PoolSet::find.
#include "pool_test_support.hpp"

using namespace test;

TEST_CASE("select: an empty pool is NODATA for every policy") {
  for (auto kind :
       {PolicyKind::weighted, PolicyKind::round_robin, PolicyKind::latency, PolicyKind::failover,
        PolicyKind::hash, PolicyKind::geo, PolicyKind::least_load}) {
    World w;
    Pool pool = make_pool("empty", kind, 2);
    pool.all_down = AllDownAction::servfail;
    const auto p = w.add(pool, {});
    w.finish();
    const Selection s = w.select(p);
    CHECK(s.count == 0);
    CHECK(s.outcome == Outcome::normal);
    CHECK_FALSE(s.servfail);
    CHECK_FALSE(s.degraded);
    CHECK(s.pool == &w.set.pools[p]);
  }
}

TEST_CASE("select: a pool index out of range selects nothing") {
  World w;
  w.finish();
  const Selection s = w.select(3);
  CHECK(s.count == 0);
  CHECK(s.pool == nullptr);
  CHECK(s.outcome == Outcome::normal);
}

TEST_CASE("select: max_records is clamped to 1..kMaxRecords") {
  World w;
  std::vector<MemberSpec> many;
  for (int i = 0; i < 40; ++i) {
    many.push_back({"m" + std::to_string(i), "10.0.0." + std::to_string(i + 1)});
  }
  for (auto kind : {PolicyKind::weighted, PolicyKind::round_robin, PolicyKind::latency,
                    PolicyKind::failover, PolicyKind::hash, PolicyKind::least_load}) {
    const auto big = w.add(make_pool("big", kind, 1000), many);
    const auto zero = w.add(make_pool("zero", kind, 0), many);
    w.finish();
    CHECK(w.select(big).count == gslbd::pool::kMaxRecords);
    CHECK(w.select(zero).count == 1);
  }
}

TEST_CASE("select: health slots past the table read as not serving") {
  World w;
  Pool pool = make_pool("web", PolicyKind::weighted, 2);
  pool.all_down = AllDownAction::nodata;
  const auto p = w.add(pool, {{"ok", "192.0.2.1"}, {"lost", "192.0.2.2"}});
  w.finish();
  w.set.pools[p].members[1].health_slot = 1000000;
  for (int i = 0; i < 50; ++i) CHECK(joined(w.select(p)) == "ok");
  CHECK(w.select(p).degraded);
  w.set.pools[p].members[0].health_slot = 0xffffffffu;
  const Selection s = w.select(p);
  CHECK(s.count == 0);
  CHECK(s.outcome == Outcome::all_down);
}

TEST_CASE("select: without a health table nothing serves, serve_all still answers") {
  World w;
  const auto p = w.add(make_pool("web", PolicyKind::weighted, 2), {{"a", "192.0.2.1"}});
  w.finish();
  w.set.health.reset();
  const Selection s = w.select(p);
  CHECK(joined(s) == "a");
  CHECK(s.outcome == Outcome::all_down);
  CHECK(s.degraded);
}

TEST_CASE("select: pools beyond kMaxMembers members still answer from the first ones") {
  World w;
  std::vector<MemberSpec> many;
  for (int i = 0; i < 300; ++i) {
    many.push_back({"m" + std::to_string(i),
                    "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1)});
  }
  const auto p = w.add(make_pool("huge", PolicyKind::round_robin, 16), many);
  w.finish();
  // The rotation start moves by one per answer, over the first kMaxMembers members.
  std::uint32_t highest = 0;
  for (int i = 0; i < 300; ++i) {
    const Selection s = w.select(p);
    REQUIRE(s.count == 16);
    for (std::uint32_t j = 0; j < s.count; ++j) highest = std::max(highest, s.members[j]);
  }
  CHECK(highest == gslbd::pool::kMaxMembers - 1);
}

TEST_CASE("pool set: find by name") {
  World w;
  w.add(make_pool("alpha", PolicyKind::weighted), {});
  w.add(make_pool("beta", PolicyKind::weighted), {});
  CHECK(w.set.find("alpha") == 0);
  CHECK(w.set.find("beta") == 1);
  CHECK(w.set.find("gamma") == -1);
  CHECK(w.set.find("") == -1);
  CHECK(gslbd::pool::PoolSet{}.find("alpha") == -1);
}
