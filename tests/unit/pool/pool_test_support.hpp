// SPDX-License-Identifier: Apache-2.0
// Builders for pool unit tests: pools with members, a health table to flip, and selections
// rendered as member names so that checks read like answers.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gslbd/pool/pool_set.hpp"
#include "gslbd/pool/selection.hpp"

namespace test {

using gslbd::health::Health;
using gslbd::pool::AllDownAction;
using gslbd::pool::Outcome;
using gslbd::pool::PolicyKind;
using gslbd::pool::Pool;
using gslbd::pool::Selection;

inline gslbd::util::Address address(const char* text) {
  const auto parsed = gslbd::util::parse_address(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

// A client as the query path builds it: the source address (full prefix) or an ECS subnet.
inline gslbd::util::Client client(const char* text, int prefix = -1) {
  gslbd::util::Client c;
  c.address = address(text);
  const int width = c.address.family == 4 ? 32 : 128;
  c.prefix = static_cast<std::uint8_t>(prefix < 0 ? width : prefix);
  c.from_ecs = prefix >= 0;
  c.address = gslbd::util::masked(c.address, c.prefix);
  return c;
}

inline Health up(std::uint8_t agent_weight = 100, std::uint32_t rtt_us = 0) {
  Health h;
  h.up = true;
  h.known = true;
  h.agent_weight = agent_weight;
  h.rtt_us = rtt_us;
  return h;
}

inline Health down() {
  Health h;
  h.known = true;
  return h;
}

inline Health drained() {
  Health h = up();
  h.drained = true;
  return h;
}

struct MemberSpec {
  MemberSpec(std::string name_, std::string address_, std::uint32_t weight_ = 100,
             std::uint32_t priority_ = 0, std::string region_ = {})
      : name(std::move(name_)),
        address(std::move(address_)),
        weight(weight_),
        priority(priority_),
        region(std::move(region_)) {}
  std::string name;
  std::string address;
  std::uint32_t weight;
  std::uint32_t priority;
  std::string region;
};

// A PoolSet under construction: add pools (health slots are numbered as members are added),
// then finish() creates the health table with every member up.
class World {
 public:
  std::uint32_t add(Pool pool, const std::vector<MemberSpec>& members) {
    for (const MemberSpec& spec : members) {
      gslbd::pool::Member m;
      m.name = spec.name;
      m.address = address(spec.address.c_str());
      m.weight = spec.weight;
      m.priority = spec.priority;
      m.region = spec.region;
      m.health_slot = next_slot_++;
      pool.members.push_back(m);
    }
    set.pools.push_back(std::move(pool));
    return static_cast<std::uint32_t>(set.pools.size() - 1);
  }

  // A slot of the health table that belongs to no member (failover's active group).
  std::uint32_t reserve_slot() { return next_slot_++; }

  void finish() {
    set.health = std::make_shared<gslbd::health::HealthTable>(next_slot_, up());
    round_robin.assign(set.pools.size(), 0);
  }

  void set_health(std::uint32_t pool, const std::string& member, const Health& health) {
    set.health->write(slot_of(pool, member), health);
  }

  std::uint32_t slot_of(std::uint32_t pool, const std::string& member) const {
    for (const auto& m : set.pools[pool].members) {
      if (m.name == member) return m.health_slot;
    }
    FAIL("no member " << member);
    return 0;
  }

  Selection select(std::uint32_t pool, std::uint8_t family, const gslbd::util::Client& c) {
    gslbd::pool::SelectContext context{rng, round_robin};
    return gslbd::pool::select_members(set, pool, family, c, context);
  }
  Selection select(std::uint32_t pool, std::uint8_t family = 4) {
    return select(pool, family, client("192.0.2.1"));
  }

  gslbd::pool::PoolSet set;
  gslbd::util::Rng rng{12345};
  std::vector<std::uint32_t> round_robin;

 private:
  std::uint32_t next_slot_ = 0;
};

inline Pool make_pool(const std::string& name, PolicyKind policy, std::uint32_t max_records = 1) {
  Pool p;
  p.name = name;
  p.policy = policy;
  p.max_records = max_records;
  return p;
}

// Member names of a selection, in answer order.
inline std::vector<std::string> names(const Selection& s) {
  std::vector<std::string> out;
  REQUIRE((s.count == 0 || s.pool != nullptr));
  for (std::uint32_t i = 0; i < s.count; ++i) out.push_back(s.pool->members[s.members[i]].name);
  return out;
}

inline std::string joined(const Selection& s) {
  std::string out;
  for (const auto& n : names(s)) out += (out.empty() ? "" : ",") + n;
  return out;
}

// How often each member name appears in `rounds` selections (any position).
template <typename F>
std::map<std::string, int> tally(int rounds, F&& select) {
  std::map<std::string, int> counts;
  for (int i = 0; i < rounds; ++i) {
    for (const auto& n : names(select())) ++counts[n];
  }
  return counts;
}

}  // namespace test
