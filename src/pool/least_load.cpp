// SPDX-License-Identifier: Apache-2.0
// The least_load policy: members with the most agent-reported spare capacity first.
#include "policy.hpp"

namespace gslbd::pool::detail {

void pick_least_load(const PolicyArgs& args, std::span<const Candidate> candidates,
                     Picked& out) noexcept {
  // Walk the agent weights from high to low; each tie group is drawn in weighted random order
  // (by effective weight) so equally loaded members share the first places.
  int above = 256;  // agent weights are 0..255; start above all of them
  while (out.count < args.want) {
    int level = -1;
    for (const Candidate& c : candidates) {
      if (c.agent_weight < above && c.agent_weight > level) level = c.agent_weight;
    }
    if (level < 0) break;
    CandidateList tie;
    for (const Candidate& c : candidates) {
      if (c.agent_weight == level) tie.push(c);
    }
    draw_weighted(tie.view(), args.want - out.count, args.context.rng, out);
    above = level;
  }
  // Levels below the last one drawn from were never reached.
  for (const Candidate& c : candidates) {
    if (args.trace != nullptr && c.agent_weight < above) {
      mark(args.trace, c.member, MemberReason::less_capacity);
    }
  }
}

}  // namespace gslbd::pool::detail
