// SPDX-License-Identifier: Apache-2.0
#include "gslbd/probe/vote.hpp"

#include <algorithm>

namespace gslbd::probe {

std::string_view vote_state_name(VoteState state) noexcept {
  switch (state) {
    case VoteState::up:
      return "up";
    case VoteState::down:
      return "down";
    case VoteState::unknown:
      return "unknown";
    case VoteState::stale:
      return "stale";
    case VoteState::differs:
      return "differs";
    case VoteState::absent:
      return "absent";
    case VoteState::unreachable:
      return "unreachable";
  }
  return "unreachable";
}

std::uint32_t probe_period_ms(const std::vector<health::CheckSpec>& checks) noexcept {
  std::uint64_t longest = 0;
  for (const health::CheckSpec& check : checks) {
    if (check.type == health::CheckType::none) continue;
    const std::uint64_t interval = check.interval_ms;
    const std::uint64_t period =
        interval + interval * check.jitter_percent / 100 + std::uint64_t{check.timeout_ms};
    longest = std::max(longest, period);
  }
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(longest, 0xffffffffu));
}

PeerSeen peer_seen(const PeerVoteSource& peer, std::string_view pool,
                   const PeerMemberObservation* observation) noexcept {
  PeerSeen seen;
  seen.received = peer.received;
  seen.observed_at = peer.received;
  if (!peer.readable) {
    seen.state = VoteState::unreachable;
  } else if (std::find(peer.differing_pools.begin(), peer.differing_pools.end(), pool) !=
             peer.differing_pools.end()) {
    seen.state = VoteState::differs;
  } else if (observation == nullptr) {
    seen.state = VoteState::absent;
  } else if (!observation->known || !observation->age_ms) {
    seen.state = VoteState::unknown;
  } else {
    seen.state = observation->up ? VoteState::up : VoteState::down;
    seen.observed_at = peer.received - std::chrono::milliseconds(*observation->age_ms);
  }
  return seen;
}

bool refresh_votes(MemberVotes& votes, SteadyTime now, std::uint32_t stale_after_ms) {
  const auto stale_after = std::chrono::milliseconds(stale_after_ms);
  const auto max_age = stale_after + std::chrono::milliseconds(votes.probe_period_ms);
  bool changed = votes.states.size() != votes.seen.size();
  votes.states.resize(votes.seen.size());
  for (std::size_t i = 0; i < votes.seen.size(); ++i) {
    const PeerSeen& seen = votes.seen[i];
    VoteState state = seen.state;
    const bool votes_now = state == VoteState::up || state == VoteState::down;
    // A reply older than stale_after no longer speaks for the peer, nor does a verdict whose
    // probe lies further back than the checks' own pace explains.
    if (votes_now && (now - seen.received > stale_after || now - seen.observed_at > max_age)) {
      state = VoteState::stale;
    }
    changed = changed || votes.states[i] != state;
    votes.states[i] = state;
  }
  return changed;
}

VoteTally tally(pool::Consensus rule, bool own_known, bool own_up,
                std::span<const VoteState> peers) noexcept {
  VoteTally t;
  std::uint32_t peer_voters = 0;
  std::uint32_t peer_ups = 0;
  if (rule.rule != pool::ConsensusRule::own) {
    for (const VoteState state : peers) {
      if (state == VoteState::up) ++peer_ups;
      if (state == VoteState::up || state == VoteState::down) ++peer_voters;
    }
  }
  t.voters = (own_known ? 1u : 0u) + peer_voters;
  t.ups = (own_known && own_up ? 1u : 0u) + peer_ups;
  if (peer_voters == 0) {
    t.up = own_up;
    t.known = own_known;
    t.own_view_only = rule.rule != pool::ConsensusRule::own;
    t.needed = 1;
    return t;
  }
  switch (rule.rule) {
    case pool::ConsensusRule::own:  // not reached: own never counts peers
    case pool::ConsensusRule::any:
      t.needed = 1;
      break;
    case pool::ConsensusRule::majority:
      t.needed = t.voters / 2 + 1;
      break;
    case pool::ConsensusRule::all:
      t.needed = t.voters;
      break;
    case pool::ConsensusRule::at_least:
      t.needed = std::clamp<std::uint32_t>(rule.count, 1, t.voters);
      break;
  }
  t.up = t.ups >= t.needed;
  t.known = true;
  return t;
}

std::string describe_tally(const pool::Consensus& rule, const VoteTally& t) {
  if (t.own_view_only) {
    return "consensus " + pool::consensus_text(rule) +
           ": no peer votes, this instance's own verdict stands";
  }
  return "consensus " + pool::consensus_text(rule) + ": " + std::to_string(t.ups) + " of " +
         std::to_string(t.voters) + " voting instances see it up, " + std::to_string(t.needed) +
         " needed";
}

}  // namespace gslbd::probe
