// SPDX-License-Identifier: Apache-2.0
#include "gslbd/pool/load_weight.hpp"

#include <algorithm>

#include "policy.hpp"

namespace gslbd::pool {
namespace {

// Spare fraction of `capacity` in 1/kLoadScale units, floored at kLoadFloor.
std::uint64_t spare_fraction(std::uint64_t used, std::uint64_t capacity) noexcept {
  if (capacity == 0) return kLoadScale;
  const std::uint64_t spare = capacity - std::min(used, capacity);
  // spare <= capacity; split the product to stay clear of overflow for huge capacities.
  const std::uint64_t fraction = capacity > (std::uint64_t{1} << 40)
                                     ? spare / (capacity / kLoadScale)
                                     : spare * kLoadScale / capacity;
  return std::max(kLoadFloor, std::min(fraction, kLoadScale));
}

}  // namespace

std::uint64_t load_weight(PolicyKind kind, const Member& member, std::uint64_t weight,
                          const health::Load& load) noexcept {
  weight = std::max<std::uint64_t>(weight, 1);
  std::uint64_t result = weight * kLoadScale;
  switch (kind) {
    case PolicyKind::least_connections:
      if (load.session_limit > 0) {
        result = weight * spare_fraction(load.sessions, load.session_limit);
      } else {
        const std::uint64_t per = std::max<std::uint64_t>(member.weight, 1);
        result = weight * kLoadScale * per / (per + load.sessions);
      }
      break;
    case PolicyKind::response_time:
      result = weight * kLoadScale / std::max<std::uint32_t>(load.response_ms, 1);
      break;
    case PolicyKind::bandwidth: {
      const std::uint64_t busier = std::max(load.bytes_in_per_s, load.bytes_out_per_s);
      const std::uint64_t used_bps =
          busier > (~std::uint64_t{0} >> 3) ? ~std::uint64_t{0} : busier * 8;
      const std::uint64_t capacity_mbit =
          std::max<std::uint64_t>(member.bandwidth_bps / 1'000'000, 1);
      const std::uint64_t fraction = spare_fraction(used_bps, member.bandwidth_bps);
      result = weight * std::max<std::uint64_t>(capacity_mbit * fraction / kLoadScale, 1);
      break;
    }
    default:
      break;
  }
  return std::max<std::uint64_t>(result, 1);
}

}  // namespace gslbd::pool

namespace gslbd::pool::detail {

void pick_by_load(PolicyKind kind, const PolicyArgs& args, std::span<const Candidate> candidates,
                  Picked& out) noexcept {
  const health::HealthTable* table = args.pools.health.get();
  CandidateList weighted;
  for (const Candidate& c : candidates) {
    const Member& member = args.pool.members[c.member];
    health::Load load;
    if (table != nullptr && member.health_slot < table->size()) {
      load = table->read_load(member.health_slot);
    }
    Candidate w = c;
    w.weight = load_weight(kind, member, c.weight, load);
    weighted.push(w);
    if (args.trace != nullptr && c.member < args.trace->members) {
      MemberTrace& traced = args.trace->member[c.member];
      traced.load = load;
      traced.draw_weight = w.weight;
      traced.load_read = true;
    }
  }
  draw_weighted(weighted.view(), args.want, args.context.rng, out);
}

}  // namespace gslbd::pool::detail
