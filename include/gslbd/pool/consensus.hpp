// SPDX-License-Identifier: Apache-2.0
// A pool's consensus rule: how the verdicts of the fleet's instances (this one's and its
// peers') combine into the state a member is served with. Part of the served model.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gslbd::pool {

enum class ConsensusRule : std::uint8_t {
  own,       // this instance's own checks only (no peers needed)
  any,       // up when any voting instance sees it up
  majority,  // up when more than half of the voting instances see it up
  all,       // up when every voting instance sees it up
  at_least,  // up when at least `count` voting instances see it up
};

struct Consensus {
  ConsensusRule rule = ConsensusRule::own;
  std::uint32_t count = 0;  // at_least only: 1..instances of the fleet
  bool operator==(const Consensus&) const = default;
};

struct ConsensusName {
  std::string_view name;
  ConsensusRule rule;
};
inline constexpr ConsensusName kConsensusNames[] = {{"own", ConsensusRule::own},
                                                    {"any", ConsensusRule::any},
                                                    {"majority", ConsensusRule::majority},
                                                    {"all", ConsensusRule::all}};

// "own", "majority", or the count of an at_least rule ("2").
inline std::string consensus_text(const Consensus& c) {
  if (c.rule == ConsensusRule::at_least) return std::to_string(c.count);
  for (const ConsensusName& entry : kConsensusNames) {
    if (entry.rule == c.rule) return std::string(entry.name);
  }
  return "unknown";
}

}  // namespace gslbd::pool
