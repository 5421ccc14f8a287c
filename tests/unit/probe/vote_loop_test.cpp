// SPDX-License-Identifier: Apache-2.0
// Votes in the health loop: peers' votes arrive by message and change the word the loop
// writes, by the member's rule; they go stale with time; an admin force still wins; the rule
// own ignores them; a message replaced before the loop read it is counted.
#include <doctest/doctest.h>

#include "loop_helpers.hpp"

using namespace gslbd::probe::test;
using gslbd::health::InitialState;
using gslbd::pool::Consensus;
using gslbd::pool::ConsensusRule;
using gslbd::probe::HealthLoop;
using gslbd::probe::PeerVotes;

namespace {

// One peer, ns2, saying `up` of member web/a; its reply came `ago` before now.
PeerVotes votes_of_ns2(bool up, std::chrono::milliseconds ago = {}) {
  PeerVotes votes;
  votes.stale_after_ms = 60'000;
  gslbd::probe::PeerVoteSource ns2;
  ns2.name = "ns2";
  ns2.readable = true;
  ns2.received = std::chrono::steady_clock::now() - ago;
  ns2.members.push_back({"web/a", true, up, 0});
  votes.peers.push_back(std::move(ns2));
  return votes;
}

gslbd::probe::MemberStatus status_of_a(const HealthLoop& loop) {
  for (const auto& s : loop.status()) {
    if (s.key == "web/a") return s;
  }
  FAIL("no status for web/a");
  return {};
}

}  // namespace

TEST_CASE("votes: a peer's verdict changes the word by the rule, and goes stale") {
  // No checks: this instance always sees it up; with `all`, one peer saying down is enough.
  auto a = member("web/a", 0, {}, InitialState::down);
  a.consensus = Consensus{ConsensusRule::all, 0};
  auto p = plan(1, {a});
  auto table = p.table;
  HealthLoop loop(64, 21);
  loop.start();
  loop.adopt(std::move(p));
  loop.wait_adopted();
  CHECK(table->read(0).up);

  loop.peer_votes(votes_of_ns2(false));
  REQUIRE(wait_until([&] { return !table->read(0).up; }));
  auto s = status_of_a(loop);
  CHECK(s.consensus == "all");
  CHECK_FALSE(s.own_view_only);
  CHECK(s.vote_voters == 2);
  CHECK(s.vote_ups == 1);
  REQUIRE(s.votes.size() == 1);
  CHECK(s.votes[0].peer == "ns2");
  CHECK(s.votes[0].state == "down");
  CHECK(s.checks_up);  // what it tells its peers: its own verdict
  CHECK(s.down_reason.find("consensus all: 1 of 2") != std::string::npos);

  // An admin force still decides.
  loop.force("web/a", true);
  REQUIRE(wait_until([&] { return table->read(0).up && table->read(0).forced; }));
  loop.force("web/a", std::nullopt);
  REQUIRE(wait_until([&] { return !table->read(0).up; }));

  // The same verdict from a reply older than stale_after does not vote: own view again.
  loop.peer_votes(votes_of_ns2(false, std::chrono::milliseconds(61'000)));
  REQUIRE(wait_until([&] { return table->read(0).up; }));
  s = status_of_a(loop);
  CHECK(s.own_view_only);
  CHECK(s.votes[0].state == "stale");
  loop.stop();
}

TEST_CASE("votes: the rule own ignores peers, unread messages are replaced and counted") {
  auto a = member("web/a", 0, {}, InitialState::down);  // consensus own
  auto p = plan(1, {a});
  auto table = p.table;
  HealthLoop loop(64, 22);
  // Before start nothing reads them: the second replaces the first.
  loop.peer_votes(votes_of_ns2(false));
  loop.peer_votes(votes_of_ns2(false));
  CHECK(loop.counters().peer_votes_dropped == 1);
  loop.start();
  loop.adopt(std::move(p));
  loop.wait_adopted();
  loop.peer_votes(votes_of_ns2(false));
  loop.wait_adopted();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(table->read(0).up);
  CHECK(status_of_a(loop).consensus.empty());
  CHECK(status_of_a(loop).votes.empty());
  loop.stop();
}
