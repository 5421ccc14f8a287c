// SPDX-License-Identifier: Apache-2.0
// The round_robin policy: consecutive serving members from a per-worker rotating start.
#include "policy.hpp"

namespace gslbd::pool::detail {

void pick_round_robin(const PolicyArgs& args, std::span<const Candidate> candidates,
                      Picked& out) noexcept {
  const std::size_t n = candidates.size();
  if (n == 0) return;
  // Each worker rotates its own counter (no shared writes); a context without a slot for this
  // pool always starts at the first serving member.
  std::uint32_t unused = 0;
  std::uint32_t& counter = args.pool_index < args.context.round_robin.size()
                               ? args.context.round_robin[args.pool_index]
                               : unused;
  // The start is taken modulo the members serving now, so a member going down shifts the
  // rotation instead of leaving a gap.
  const std::size_t start = counter % n;
  for (std::size_t j = 0; j < n && j < args.want; ++j) {
    out.push(candidates[(start + j) % n].member);
  }
  ++counter;
  // The members named are recorded as chosen after this, over this mark.
  if (args.trace != nullptr) {
    for (const Candidate& c : candidates)
      mark(args.trace, c.member, MemberReason::outside_rotation);
  }
}

}  // namespace gslbd::pool::detail
