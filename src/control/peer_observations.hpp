// SPDX-License-Identifier: Apache-2.0
// Reading a peer's GET /peer/observations reply (see observations.hpp for what it holds):
// strict JSON, every field of format 1 present and of its type, counts bounded; top-level
// keys this version does not know are skipped, so that later formats can add sections.
// Control thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator_actions.hpp"

namespace gslbd::control {

// The version of the document this instance writes and reads.
inline constexpr int kObservationsFormat = 1;

// A member's entry in a peer's observations.
struct PeerMember {
  std::string name;
  bool known = false;
  bool up = false;
  std::optional<std::uint64_t> age_ms;  // nullopt: never probed there
  std::uint64_t generation = 0;
};

struct PeerPool {
  std::string name;
  std::string digest;
  std::vector<PeerMember> members;
};

struct PeerObservations {
  std::string instance;
  std::uint64_t generation = 0;
  std::vector<PeerPool> pools;
  // The peer's operator actions (its "actions" section; none from an older peer). A bad
  // section is reported in actions_error and costs only the actions, not the votes.
  std::vector<OperatorAction> actions;
  std::string actions_error;
};

// Bounds on what one reply may name, beyond its size.
inline constexpr std::size_t kMaxPeerPools = 4096;
inline constexpr std::size_t kMaxPeerMembers = 65536;  // over all pools
inline constexpr std::size_t kMaxPeerName = 255;

// The observations, or nullopt with `error` saying what is wrong ("pools[2].members[0]: 'up'
// is not true or false").
std::optional<PeerObservations> parse_peer_observations(std::string_view text, std::string& error);

}  // namespace gslbd::control
