// SPDX-License-Identifier: Apache-2.0
// The weighted policy: distinct members drawn at random in proportion to effective weight.
#include "policy.hpp"

namespace gslbd::pool::detail {

void draw_weighted(std::span<const Candidate> candidates, std::uint32_t want, util::Rng& rng,
                   Picked& out) noexcept {
  // Remaining weights; a drawn candidate's weight drops to 0 so it cannot be drawn again.
  // Each weight is < 2^40 (32-bit weight times agent percent), the sum of kMaxMembers < 2^48.
  std::uint64_t remaining[kMaxMembers];
  const std::size_t n = candidates.size() < kMaxMembers ? candidates.size() : kMaxMembers;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    remaining[i] = candidates[i].weight;
    total += remaining[i];
  }
  for (std::uint32_t drawn = 0; drawn < want && total > 0 && out.count < kMaxRecords; ++drawn) {
    std::uint64_t point = rng.below(total);
    std::size_t chosen = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (point < remaining[i]) {
        chosen = i;
        break;
      }
      point -= remaining[i];
    }
    out.push(candidates[chosen].member);
    total -= remaining[chosen];
    remaining[chosen] = 0;
  }
}

void pick_weighted(const PolicyArgs& args, std::span<const Candidate> candidates,
                   Picked& out) noexcept {
  draw_weighted(candidates, args.want, args.context.rng, out);
}

}  // namespace gslbd::pool::detail
