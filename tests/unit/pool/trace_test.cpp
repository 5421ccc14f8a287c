// SPDX-License-Identifier: Apache-2.0
// The selection trace: every member of every pool the walk visits gets the reason the
// selection itself gave, and a trace changes nothing about the answer. The fallback walk.
#include <memory>
#include <optional>

#include "gslbd/pool/fallback_chain.hpp"
#include "gslbd/pool/load_weight.hpp"
#include "gslbd/pool/selection_trace.hpp"
#include "pool_test_support.hpp"

using namespace test;
using gslbd::pool::ChainEnd;
using gslbd::pool::MemberReason;
using gslbd::pool::SelectionTrace;

namespace {

struct Traced {
  Selection selection;
  std::unique_ptr<SelectionTrace> trace = std::make_unique<SelectionTrace>();
};

Traced traced(World& w, std::uint32_t pool, std::uint8_t family = 4,
              const gslbd::util::Client& c = client("192.0.2.1")) {
  Traced out;
  gslbd::pool::SelectContext context{w.rng, w.round_robin};
  out.selection = gslbd::pool::select_members(w.set, pool, family, c, context, out.trace.get());
  return out;
}

MemberReason reason(const World& w, const Traced& t, std::uint32_t hop, const std::string& name) {
  REQUIRE(hop < t.trace->pools);
  const auto& pool_trace = t.trace->pool[hop];
  const auto& members = w.set.pools[pool_trace.pool].members;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (members[i].name == name) return pool_trace.member[i].reason;
  }
  FAIL("no member " << name);
  return MemberReason::not_drawn;
}

Pool falls_to(const std::string& name, std::int32_t fallback) {
  Pool p = make_pool(name, PolicyKind::weighted);
  p.all_down = AllDownAction::fallback_pool;
  p.fallback_pool = fallback;
  return p;
}

}  // namespace

TEST_CASE("trace: health, family, weight 0 and the draw of a weighted pool") {
  World w;
  const auto p = w.add(make_pool("p", PolicyKind::weighted, 1), {{"a", "192.0.2.1"},
                                                                 {"b", "192.0.2.2"},
                                                                 {"c", "192.0.2.3"},
                                                                 {"d", "192.0.2.4", 0},
                                                                 {"e", "192.0.2.5"},
                                                                 {"six", "2001:db8::1"}});
  w.finish();
  w.set_health(p, "b", down());
  w.set_health(p, "c", drained());
  const Traced t = traced(w, p);
  REQUIRE(t.trace->pools == 1);
  CHECK(t.trace->pool[0].pool == p);
  CHECK(t.trace->pool[0].members == 6);
  CHECK(reason(w, t, 0, "b") == MemberReason::down);
  CHECK(reason(w, t, 0, "c") == MemberReason::drained);
  CHECK(reason(w, t, 0, "d") == MemberReason::weight_zero);
  CHECK(reason(w, t, 0, "six") == MemberReason::other_family);
  // a and e are candidates: one is drawn, the other not.
  const std::string chosen = joined(t.selection);
  REQUIRE((chosen == "a" || chosen == "e"));
  CHECK(reason(w, t, 0, chosen) == MemberReason::chosen);
  CHECK(reason(w, t, 0, chosen == "a" ? "e" : "a") == MemberReason::not_drawn);
  CHECK(t.trace->pool[0].member[0].draw_weight == 10000);
  CHECK_FALSE(t.trace->pool[0].member[1].health.up);
}

TEST_CASE("trace: the same draw with and without a trace") {
  World w;
  const auto p = w.add(make_pool("p", PolicyKind::weighted, 2),
                       {{"a", "192.0.2.1"}, {"b", "192.0.2.2", 300}, {"c", "192.0.2.3", 50}});
  w.finish();
  for (int i = 0; i < 50; ++i) {
    w.rng = gslbd::util::Rng(static_cast<std::uint64_t>(i));
    const std::string plain = joined(w.select(p));
    w.rng = gslbd::util::Rng(static_cast<std::uint64_t>(i));
    CHECK(joined(traced(w, p).selection) == plain);
  }
}

// The query path selects without a trace and /explain with one: two instantiations of the
// same rules, which must choose alike whatever the members' health, weights and overrides.
TEST_CASE("trace: every policy chooses the same with and without a trace") {
  const PolicyKind policies[] = {PolicyKind::weighted, PolicyKind::round_robin,
                                 PolicyKind::latency,  PolicyKind::failover,
                                 PolicyKind::hash,     PolicyKind::least_load};
  for (const PolicyKind policy : policies) {
    World w;
    const auto p = w.add(make_pool("p", policy, 2), {{"a", "192.0.2.1", 100, 10},
                                                     {"b", "192.0.2.2", 300, 10},
                                                     {"c", "192.0.2.3", 0, 20},
                                                     {"d", "192.0.2.4", 50, 20},
                                                     {"six", "2001:db8::1"}});
    w.finish();
    gslbd::util::Rng states(static_cast<std::uint64_t>(policy) + 1);
    for (int round = 0; round < 200; ++round) {
      for (const char* name : {"a", "b", "c", "d"}) {
        const std::uint64_t draw = states.below(6);
        const Health health = draw == 0   ? down()
                              : draw == 1 ? drained()
                                          : up(static_cast<std::uint8_t>(draw * 20),
                                               static_cast<std::uint32_t>(1000 * draw));
        w.set_health(p, name, health);
        const std::uint32_t slot = w.slot_of(p, name);
        w.set.health->write_weight_override(
            slot, states.below(4) == 0 ? std::optional<std::uint32_t>(
                                             static_cast<std::uint32_t>(states.below(3) * 100))
                                       : std::nullopt);
      }
      w.rng = gslbd::util::Rng(static_cast<std::uint64_t>(round));
      w.round_robin.assign(1, static_cast<std::uint32_t>(round));
      const Selection plain = w.select(p);
      w.rng = gslbd::util::Rng(static_cast<std::uint64_t>(round));
      w.round_robin.assign(1, static_cast<std::uint32_t>(round));
      const Traced t = traced(w, p);
      CHECK(joined(t.selection) == joined(plain));
      CHECK(t.selection.outcome == plain.outcome);
      CHECK(t.selection.degraded == plain.degraded);
    }
  }
}

TEST_CASE("trace: with every member up, each candidate's draw weight is recorded") {
  World w;
  const auto p =
      w.add(make_pool("p", PolicyKind::weighted, 1), {{"a", "192.0.2.1"}, {"b", "192.0.2.2", 300}});
  w.finish();
  const Traced t = traced(w, p);
  CHECK(t.trace->pool[0].member[0].draw_weight == 10000);
  CHECK(t.trace->pool[0].member[1].draw_weight == 30000);
}

TEST_CASE("trace: latency tolerance and unmeasured members") {
  World w;
  Pool pool = make_pool("p", PolicyKind::latency, 3);
  pool.latency.tolerance_percent = 50;
  pool.latency.tolerance_min_us = 1000;
  const auto p = w.add(
      pool,
      {{"fast", "192.0.2.1"}, {"near", "192.0.2.2"}, {"slow", "192.0.2.3"}, {"new", "192.0.2.4"}});
  w.finish();
  w.set_health(p, "fast", up(100, 10000));
  w.set_health(p, "near", up(100, 14000));
  w.set_health(p, "slow", up(100, 40000));
  const Traced t = traced(w, p);
  CHECK(t.trace->pool[0].latency_best_us == 10000);
  CHECK(t.trace->pool[0].latency_limit_us == 15000);
  CHECK(reason(w, t, 0, "fast") == MemberReason::chosen);
  CHECK(reason(w, t, 0, "near") == MemberReason::chosen);
  CHECK(reason(w, t, 0, "slow") == MemberReason::outside_tolerance);
  CHECK(reason(w, t, 0, "new") == MemberReason::not_measured);
}

TEST_CASE("trace: failover groups, short, later and held") {
  World w;
  Pool pool = make_pool("p", PolicyKind::failover, 2);
  pool.min_healthy = 2;
  const auto p = w.add(pool, {{"a1", "192.0.2.1", 100, 0},
                              {"a2", "192.0.2.2", 100, 0},
                              {"b1", "192.0.2.3", 100, 1},
                              {"b2", "192.0.2.4", 100, 1},
                              {"c1", "192.0.2.5", 100, 2},
                              {"c2", "192.0.2.6", 100, 2}});
  w.finish();
  w.set_health(p, "a2", down());
  const Traced t = traced(w, p);
  CHECK(t.selection.count == 2);
  CHECK(reason(w, t, 0, "b1") == MemberReason::chosen);
  CHECK(t.trace->pool[0].failover_group == 1);
  CHECK_FALSE(t.trace->pool[0].failover_held);
  CHECK(reason(w, t, 0, "a1") == MemberReason::group_short);
  CHECK(reason(w, t, 0, "a2") == MemberReason::down);
  CHECK(reason(w, t, 0, "c1") == MemberReason::group_later);

  // Without preempt the active group (stored by the health loop) keeps answering.
  const std::uint32_t slot = w.reserve_slot();
  w.set.pools[p].preempt = false;
  w.set.pools[p].failover_slot = slot;
  w.finish();
  w.set.health->write_word(slot, 1);
  const Traced held = traced(w, p);
  CHECK(reason(w, held, 0, "b2") == MemberReason::chosen);
  CHECK(held.trace->pool[0].failover_held);
  CHECK(reason(w, held, 0, "a1") == MemberReason::group_held);
}

TEST_CASE("trace: hash, round robin and least_load name what left the others out") {
  World w;
  const auto h = w.add(make_pool("h", PolicyKind::hash, 1),
                       {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}, {"c", "192.0.2.3"}});
  const auto r =
      w.add(make_pool("r", PolicyKind::round_robin, 1), {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}});
  const auto l = w.add(make_pool("l", PolicyKind::least_load, 1),
                       {{"busy", "192.0.2.1"}, {"idle", "192.0.2.2"}});
  w.finish();
  w.set_health(l, "busy", up(20));
  w.set_health(l, "idle", up(90));
  const Traced th = traced(w, h);
  int lower = 0;
  for (const char* n : {"a", "b", "c"}) lower += reason(w, th, 0, n) == MemberReason::lower_score;
  CHECK(lower == 2);
  const Traced tr = traced(w, r);
  CHECK(reason(w, tr, 0, joined(tr.selection) == "a" ? "b" : "a") ==
        MemberReason::outside_rotation);
  const Traced tl = traced(w, l);
  CHECK(joined(tl.selection) == "idle");
  CHECK(reason(w, tl, 0, "busy") == MemberReason::less_capacity);
}

TEST_CASE("trace: geo regions") {
  World w;
  Pool pool = make_pool("g", PolicyKind::geo, 1);
  const auto p = w.add(pool, {{"eu1", "192.0.2.1", 100, 0, "eu"},
                              {"us1", "192.0.2.2", 100, 0, "us"},
                              {"ap1", "192.0.2.3", 100, 0, "ap"}});
  w.set.pools[p].geo.default_order = {"us", "eu"};
  w.finish();
  const Traced t = traced(w, p);
  CHECK(joined(t.selection) == "us1");
  REQUIRE(t.trace->pool[0].chosen_region != nullptr);
  CHECK(*t.trace->pool[0].chosen_region == "us");
  CHECK(t.trace->pool[0].client_region == nullptr);
  CHECK(reason(w, t, 0, "eu1") == MemberReason::other_region);
  CHECK(reason(w, t, 0, "ap1") == MemberReason::other_region);

  // Every region of the order down: nothing is preferred, the all-down action (serve_all) runs.
  w.set_health(p, "us1", down());
  w.set_health(p, "eu1", down());
  const Traced down_t = traced(w, p);
  CHECK(down_t.trace->pool[0].all_down);
  CHECK(down_t.trace->pool[0].served_all);
  CHECK(reason(w, down_t, 0, "ap1") != MemberReason::not_drawn);
}

TEST_CASE("trace: a load-based policy records the load and the weight it drew by") {
  World w;
  const auto p = w.add(make_pool("p", PolicyKind::least_connections, 1),
                       {{"a", "192.0.2.1"}, {"b", "192.0.2.2"}});
  w.finish();
  gslbd::health::Load load;
  load.known = true;
  load.sessions = 750;
  load.session_limit = 1000;
  w.set.health->write_load(w.slot_of(p, "a"), load);
  const Traced t = traced(w, p);
  const auto& a = t.trace->pool[0].member[0];
  const auto& b = t.trace->pool[0].member[1];
  CHECK(a.load_read);
  CHECK(a.load.sessions == 750);
  CHECK(a.draw_weight == gslbd::pool::load_weight(PolicyKind::least_connections,
                                                  w.set.pools[p].members[0], 10000, load));
  CHECK(b.draw_weight == 10000 * gslbd::pool::kLoadScale);
  CHECK(t.trace->pool[0].decided_by == PolicyKind::least_connections);
}

TEST_CASE("trace: the fallback walk records each pool visited") {
  World w;
  const auto p0 = w.add(falls_to("p0", 1), {{"a0", "192.0.2.1"}});
  const auto p1 = w.add(falls_to("p1", 2), {{"a1", "192.0.2.2"}});
  w.add(make_pool("p2", PolicyKind::weighted), {{"a2", "192.0.2.3"}});
  w.finish();
  w.set_health(p0, "a0", down());
  w.set_health(p1, "a1", down());
  const Traced t = traced(w, p0);
  CHECK(t.selection.outcome == Outcome::fallback);
  REQUIRE(t.trace->pools == 3);
  CHECK(t.trace->pool[0].all_down);
  CHECK(t.trace->pool[1].all_down);
  CHECK_FALSE(t.trace->pool[2].all_down);
  CHECK(reason(w, t, 0, "a0") == MemberReason::down);
  CHECK(reason(w, t, 2, "a2") == MemberReason::chosen);
}

TEST_CASE("fallback_chain: complete, cycle, too long, bad index, out of range") {
  World w;
  const auto p0 = w.add(falls_to("p0", 1), {{"a", "192.0.2.1"}});
  const auto p1 = w.add(falls_to("p1", 2), {{"a", "192.0.2.1"}});
  const auto p2 = w.add(falls_to("p2", 3), {{"a", "192.0.2.1"}});
  const auto p3 = w.add(falls_to("p3", 4), {{"a", "192.0.2.1"}});
  const auto p4 = w.add(make_pool("p4", PolicyKind::weighted), {{"a", "192.0.2.1"}});
  w.finish();
  auto chain = gslbd::pool::fallback_chain(w.set, p1);
  CHECK(chain.end == ChainEnd::complete);
  CHECK(chain.count == 4);
  CHECK(chain.usable() == 4);
  CHECK(chain.reaches(p4));
  chain = gslbd::pool::fallback_chain(w.set, p0);
  CHECK(chain.end == ChainEnd::too_long);
  CHECK(chain.count == 5);
  CHECK(chain.usable() == 4);
  CHECK(chain.reaches(p3));
  CHECK_FALSE(chain.reaches(p4));
  w.set.pools[p2].fallback_pool = static_cast<std::int32_t>(p1);
  chain = gslbd::pool::fallback_chain(w.set, p0);
  CHECK(chain.end == ChainEnd::cycle);
  CHECK(chain.count == 4);  // p0 p1 p2 p1
  CHECK(chain.pool[3] == p1);
  CHECK(chain.usable() == 3);
  w.set.pools[p2].fallback_pool = 99;
  chain = gslbd::pool::fallback_chain(w.set, p2);
  CHECK(chain.end == ChainEnd::bad_index);
  CHECK(chain.usable() == 1);
  w.set.pools[p2].all_down = AllDownAction::nodata;  // a fallback index without the action
  CHECK(gslbd::pool::fallback_chain(w.set, p2).count == 1);
  CHECK(gslbd::pool::fallback_chain(w.set, 42).count == 0);
}
