// SPDX-License-Identifier: Apache-2.0
// The latency policy: members whose RTT EWMA is within tolerance of the best, weighted.
#include "policy.hpp"

namespace gslbd::pool::detail {

void pick_latency(const PolicyArgs& args, std::span<const Candidate> candidates,
                  Picked& out) noexcept {
  std::uint64_t best = 0;
  for (const Candidate& c : candidates) {
    if (c.rtt_us > 0 && (best == 0 || c.rtt_us < best)) best = c.rtt_us;
  }
  if (best == 0) {
    // No member has been measured yet: latency cannot tell them apart.
    draw_weighted(candidates, args.want, args.context.rng, out);
    return;
  }
  // 64-bit arithmetic: best * (100 + percent) cannot overflow for 32-bit inputs.
  const std::uint64_t by_percent =
      best * (100u + std::uint64_t{args.pool.latency.tolerance_percent}) / 100u;
  const std::uint64_t by_min = best + args.pool.latency.tolerance_min_us;
  const std::uint64_t limit = by_percent > by_min ? by_percent : by_min;
  if (args.trace != nullptr) {
    args.trace->latency_best_us = best;
    args.trace->latency_limit_us = limit;
  }

  // Unmeasured members (rtt 0) stay out while measured ones exist: their latency is unknown.
  CandidateList band;
  for (const Candidate& c : candidates) {
    if (c.rtt_us > 0 && c.rtt_us <= limit) {
      band.push(c);
    } else {
      mark(args.trace, c.member,
           c.rtt_us == 0 ? MemberReason::not_measured : MemberReason::outside_tolerance);
    }
  }
  draw_weighted(band.view(), args.want, args.context.rng, out);
}

}  // namespace gslbd::pool::detail
