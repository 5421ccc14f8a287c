// SPDX-License-Identifier: Apache-2.0
// A member behind several addresses (a host name whose addresses are separate balancers): its
// agent word and its load combine what each address reports, over the addresses that pass.
#include <doctest/doctest.h>

#include "probe/member_state.hpp"

namespace {

using gslbd::health::LoadSample;
using gslbd::probe::AddressProbes;
using gslbd::probe::agent_word;
using gslbd::probe::member_load;
using gslbd::probe::MemberState;

// Addresses without runners: no check decides, so every address passes.
MemberState member_with(std::size_t addresses) {
  MemberState member;
  member.target_name = "lb.cloud.test.";
  for (std::size_t i = 0; i < addresses; ++i) {
    AddressProbes probes;
    probes.address.family = 4;
    probes.address.bytes[0] = 127;
    probes.address.bytes[3] = static_cast<std::uint8_t>(i + 1);
    member.probes.push_back(std::move(probes));
  }
  return member;
}

LoadSample sample(std::uint64_t sessions, std::uint64_t limit, std::uint64_t response_ms) {
  LoadSample s;
  s.sessions = sessions;
  s.session_limit = limit;
  s.session_rate = sessions / 2;
  s.queue = 1;
  s.response_ms = response_ms;
  s.total_ms = response_ms * 2;
  s.up_servers = 3;
  return s;
}

}  // namespace

TEST_CASE("agent word: the mean weight, drained only when every address drains") {
  MemberState one = member_with(1);
  one.probes[0].agent_weight = 30;
  one.probes[0].agent_drain = true;
  CHECK(agent_word(one).weight == 30);
  CHECK(agent_word(one).drain);

  MemberState two = member_with(2);
  two.probes[0].agent_weight = 50;
  two.probes[1].agent_weight = 100;
  CHECK(agent_word(two).weight == 75);
  two.probes[0].agent_drain = true;
  CHECK_FALSE(agent_word(two).drain);
  two.probes[1].agent_drain = true;
  CHECK(agent_word(two).drain);

  MemberState none;  // a name not resolved yet: the agent's defaults
  none.target_name = "lb.cloud.test.";
  CHECK(agent_word(none).weight == 100);
  CHECK_FALSE(agent_word(none).drain);
}

TEST_CASE("member load: each balancer's figures added up, the slowest response time") {
  MemberState member = member_with(2);
  CHECK_FALSE(member_load(member).known);
  member.probes[0].load.add(sample(10, 100, 20), 1'000'000'000);
  const auto first = member_load(member);
  CHECK(first == member.probes[0].load.load());  // one balancer polled so far: its figures
  member.probes[1].load.add(sample(30, 200, 80), 1'000'000'000);
  const auto both = member_load(member);
  CHECK(both.known);
  CHECK(both.sessions == 40);
  CHECK(both.session_limit == 300);
  CHECK(both.session_rate == 20);
  CHECK(both.queue == 2);
  CHECK(both.response_ms == 80);
  CHECK(both.total_ms == 160);
  CHECK(both.up_servers == 6);
}

TEST_CASE("member load: through a stats socket every address reads one balancer, counted once") {
  MemberState member = member_with(2);
  gslbd::health::CheckSpec stats;
  stats.type = gslbd::health::CheckType::haproxy;
  stats.socket = "/run/haproxy/admin.sock";
  member.checks = {stats};
  member.probes[0].load.add(sample(10, 100, 20), 1'000'000'000);
  member.probes[1].load.add(sample(10, 100, 20), 1'000'000'000);
  const auto load = member_load(member);
  CHECK(load.sessions == 10);
  CHECK(load.session_limit == 100);
}
