// SPDX-License-Identifier: Apache-2.0
// The vote rule: who votes (fresh up/down verdicts, this instance's when it has one), what each
// rule needs, the fall back to the own verdict when no peer votes, and how peers' votes age.
#include <doctest/doctest.h>

#include <vector>

#include "gslbd/probe/vote.hpp"

namespace {

using gslbd::pool::Consensus;
using gslbd::pool::ConsensusRule;
using gslbd::probe::VoteState;
using gslbd::probe::VoteTally;

constexpr VoteState U = VoteState::up;
constexpr VoteState D = VoteState::down;

VoteTally run(Consensus rule, bool own_known, bool own_up, std::vector<VoteState> peers) {
  return gslbd::probe::tally(rule, own_known, own_up, peers);
}

const Consensus kAny{ConsensusRule::any, 0};
const Consensus kMajority{ConsensusRule::majority, 0};
const Consensus kAll{ConsensusRule::all, 0};

}  // namespace

TEST_CASE("vote: own ignores every peer") {
  const VoteTally t = run(Consensus{}, true, false, {U, U, U});
  CHECK_FALSE(t.up);
  CHECK(t.known);
  CHECK_FALSE(t.own_view_only);
  CHECK(t.voters == 1);
}

TEST_CASE("vote: any, majority, all and a count over three instances") {
  // This instance sees it down, one peer up, one down.
  CHECK(run(kAny, true, false, {U, D}).up);
  CHECK_FALSE(run(kMajority, true, false, {U, D}).up);
  CHECK_FALSE(run(kAll, true, true, {U, D}).up);
  CHECK(run(kMajority, true, true, {U, D}).up);
  CHECK(run(kAll, true, true, {U, U}).up);
  CHECK(run(Consensus{ConsensusRule::at_least, 2}, true, false, {U, U}).up);
  CHECK_FALSE(run(Consensus{ConsensusRule::at_least, 3}, true, false, {U, U}).up);
  const VoteTally t = run(kMajority, true, false, {U, D});
  CHECK(t.voters == 3);
  CHECK(t.ups == 1);
  CHECK(t.needed == 2);
  CHECK(t.known);
}

TEST_CASE("vote: only fresh verdicts vote, the rule counts over those that do") {
  for (const VoteState silent : {VoteState::unknown, VoteState::stale, VoteState::differs,
                                 VoteState::absent, VoteState::unreachable}) {
    CAPTURE(gslbd::probe::vote_state_name(silent));
    // Two voters (this one down, one peer up): a majority of two needs both.
    const VoteTally t = run(kMajority, true, false, {U, silent});
    CHECK(t.voters == 2);
    CHECK(t.needed == 2);
    CHECK_FALSE(t.up);
    CHECK_FALSE(t.own_view_only);
  }
  // A count above the instances that vote is capped at them: 3 of 2 voting means both.
  const VoteTally capped =
      run(Consensus{ConsensusRule::at_least, 3}, true, true, {U, VoteState::stale});
  CHECK(capped.needed == 2);
  CHECK(capped.up);
  // This instance without a verdict yet does not vote; its peers decide.
  const VoteTally peers_only = run(kMajority, false, false, {U, U});
  CHECK(peers_only.voters == 2);
  CHECK(peers_only.up);
  CHECK(peers_only.known);
}

TEST_CASE("vote: when no peer votes, the own verdict stands and says so") {
  const VoteTally t = run(kAll, true, true, {VoteState::stale, VoteState::unreachable});
  CHECK(t.up);
  CHECK(t.known);
  CHECK(t.own_view_only);
  const VoteTally down = run(kAny, true, false, {VoteState::differs});
  CHECK_FALSE(down.up);
  CHECK(down.own_view_only);
  const VoteTally none = run(kMajority, false, true, {});
  CHECK(none.up);  // the initial state
  CHECK_FALSE(none.known);
  CHECK(none.own_view_only);
}

TEST_CASE("vote: a peer's verdict goes stale with its reply's age and its probe's age") {
  using namespace std::chrono_literals;
  gslbd::probe::PeerVoteSource peer;
  peer.readable = true;
  const auto t0 = std::chrono::steady_clock::now();
  peer.received = t0;
  gslbd::probe::PeerMemberObservation seen_up{"web/a", true, true, 100};
  gslbd::probe::MemberVotes votes;
  votes.rule = kMajority;
  votes.probe_period_ms = 1'000;
  votes.seen.push_back(gslbd::probe::peer_seen(peer, "web", &seen_up));
  CHECK(gslbd::probe::refresh_votes(votes, t0, 3'000));
  CHECK(votes.states[0] == U);
  CHECK_FALSE(gslbd::probe::refresh_votes(votes, t0 + 2900ms, 3'000));
  // The reply itself is older than stale_after.
  CHECK(gslbd::probe::refresh_votes(votes, t0 + 3100ms, 3'000));
  CHECK(votes.states[0] == VoteState::stale);

  // A fresh reply about a probe long ago: stale beyond stale_after + the checks' period.
  gslbd::probe::PeerMemberObservation old_probe{"web/a", true, true, 5'000};
  votes.seen[0] = gslbd::probe::peer_seen(peer, "web", &old_probe);
  gslbd::probe::refresh_votes(votes, t0, 3'000);
  CHECK(votes.states[0] == VoteState::stale);

  // What a reply cannot vote with.
  CHECK(gslbd::probe::peer_seen(peer, "web", nullptr).state == VoteState::absent);
  gslbd::probe::PeerMemberObservation never{"web/a", false, false, std::nullopt};
  CHECK(gslbd::probe::peer_seen(peer, "web", &never).state == VoteState::unknown);
  peer.differing_pools = {"web"};
  CHECK(gslbd::probe::peer_seen(peer, "web", &seen_up).state == VoteState::differs);
  peer.readable = false;
  CHECK(gslbd::probe::peer_seen(peer, "web", &seen_up).state == VoteState::unreachable);
}
