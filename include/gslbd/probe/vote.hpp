// SPDX-License-Identifier: Apache-2.0
// Votes: how a member's own verdict (its checks after rise/fall) and its peers' verdicts
// combine, by its pool's consensus rule, into the state the member is served with. The peer
// poller (control loop) hands what peers said to the health loop as a PeerVotes message; the
// health loop keeps a MemberVotes per member and applies the rule when it derives the word, so
// it stays the only writer of health words. Rise and fall apply to the local checks only: the
// rule combines verdicts, never raw probe results.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/health/check_spec.hpp"
#include "gslbd/pool/consensus.hpp"

namespace gslbd::probe {

using SteadyTime = std::chrono::steady_clock::time_point;

// What one peer says of one member, as it stands now. Only up and down vote.
enum class VoteState : std::uint8_t {
  up,
  down,
  unknown,      // the peer has no verdict yet (never probed, or not `known` there)
  stale,        // the peer's reply, or its last probe of the member, is too old
  differs,      // the peer defines the member's pool differently (another digest)
  absent,       // the peer does not have the member
  unreachable,  // no readable reply from the peer (down, refused token, malformed reply)
};
std::string_view vote_state_name(VoteState state) noexcept;

// ---- the message from the control loop to the health loop ----

// One member of a peer's observations, keyed "pool/member" like the health loop's members.
struct PeerMemberObservation {
  std::string key;
  bool known = false;
  bool up = false;
  std::optional<std::uint64_t> age_ms;  // since the peer's last finished probe; nullopt: none
};

struct PeerVoteSource {
  std::string name;       // the peers: entry's name
  bool readable = false;  // it has a last good reply (not refused, not malformed)
  SteadyTime received{};  // when that reply came
  std::vector<std::string> differing_pools;    // its members of these pools do not vote
  std::vector<PeerMemberObservation> members;  // of every other pool of its reply
};

// Everything the poller knows of every configured peer; each message replaces the last.
struct PeerVotes {
  std::uint32_t stale_after_ms = 3'000;
  std::vector<PeerVoteSource> peers;
};

// ---- per member, health loop only ----

struct PeerSeen {
  VoteState state = VoteState::unreachable;  // as the reply said (never stale here)
  SteadyTime received{};
  SteadyTime observed_at{};  // received minus the member's age in the reply
};

struct MemberVotes {
  pool::Consensus rule;
  // How long a peer's last probe of this member may be ago beyond stale_after: the longest
  // check period (interval stretched by jitter, plus timeout), since the peer probes it at the
  // same pace (the same pool definition, or it would not vote).
  std::uint32_t probe_period_ms = 0;
  std::vector<PeerSeen> seen;     // one per peer of the latest PeerVotes, in its order
  std::vector<VoteState> states;  // the same, aged at the latest refresh_votes
};

// The longest period between two finished probes of a member with these checks.
std::uint32_t probe_period_ms(const std::vector<health::CheckSpec>& checks) noexcept;

// What the reply of `peer` says of member `key` of pool `pool`.
PeerSeen peer_seen(const PeerVoteSource& peer, std::string_view pool,
                   const PeerMemberObservation* observation) noexcept;

// Ages every peer's vote at `now`; true when a state changed.
bool refresh_votes(MemberVotes& votes, SteadyTime now, std::uint32_t stale_after_ms);

// ---- the rule ----

struct VoteTally {
  bool up = false;
  bool known = false;
  // No peer votes (every one unreachable, stale, unknown or differing): the member is served
  // by this instance's own verdict. Always false under the rule own.
  bool own_view_only = false;
  std::uint32_t voters = 0;  // instances with a verdict, this one included when it has one
  std::uint32_t ups = 0;     // of which see the member up
  std::uint32_t needed = 0;  // ups the rule needs for up
};

// Combines this instance's verdict (own_known, own_up) with its peers' states. Peers without a
// fresh verdict do not vote; "all", "majority" and a count are taken over the instances that
// vote, and a count larger than those is capped at their number. When no peer votes, the own
// verdict stands.
VoteTally tally(pool::Consensus rule, bool own_known, bool own_up,
                std::span<const VoteState> peers) noexcept;

// How the rule decided, for logs and down reasons: "consensus majority: 1 of 3 voting
// instances see it up, 2 needed", or that no peer votes.
std::string describe_tally(const pool::Consensus& rule, const VoteTally& tally);

}  // namespace gslbd::probe
