// SPDX-License-Identifier: Apache-2.0
// The geo policy: client network -> region -> ordered region preference -> a sub-policy over
// the members of the first region in that order that can serve.
#include "policy.hpp"

namespace gslbd::pool::detail {

namespace {

const std::vector<std::string>& region_order(const GeoSettings& geo,
                                             const std::string* client_region) noexcept {
  if (client_region != nullptr) {
    for (const auto& [region, order] : geo.preference) {
      if (region == *client_region) return order;
    }
  }
  return geo.default_order;
}

std::uint32_t count_in_region(const Pool& pool, std::span<const Candidate> candidates,
                              const std::string& region) noexcept {
  std::uint32_t n = 0;
  for (const Candidate& c : candidates) {
    if (pool.members[c.member].region == region) ++n;
  }
  return n;
}

}  // namespace

void pick_geo(const PolicyArgs& args, std::span<const Candidate> candidates, Picked& out) noexcept {
  const Pool& pool = args.pool;
  // A geo_map index out of range (the loader prevents it) places every client in no region.
  geo::GeoMatch match;
  const std::string* client_region = nullptr;
  if (pool.geo.geo_map < args.pools.geo_maps.size()) {
    const geo::GeoMap& map = args.pools.geo_maps[pool.geo.geo_map];
    match = map.lookup(args.client);
    if (match.region >= 0) client_region = &map.regions()[static_cast<std::size_t>(match.region)];
  }
  const std::vector<std::string>& order = region_order(pool.geo, client_region);
  // The answer depends on the region the client maps to, so even an empty (all-down) result
  // carries the geo scope: other networks may well get members.
  out.scope = match.scope;

  // First region in the order with >= min_healthy candidates; failing that, the first with any.
  const std::uint32_t needed = pool.min_healthy == 0 ? 1 : pool.min_healthy;
  const std::string* chosen = nullptr;
  for (const std::string& region : order) {
    if (count_in_region(pool, candidates, region) >= needed) {
      chosen = &region;
      break;
    }
  }
  for (std::size_t i = 0; chosen == nullptr && i < order.size(); ++i) {
    if (count_in_region(pool, candidates, order[i]) > 0) chosen = &order[i];
  }

  if (args.trace != nullptr) {
    args.trace->client_region = client_region;
    args.trace->chosen_region = chosen;
  }

  CandidateList subset;
  if (chosen != nullptr) {
    for (const Candidate& c : candidates) {
      if (pool.members[c.member].region == *chosen) {
        subset.push(c);
      } else {
        mark(args.trace, c.member, MemberReason::other_region);
      }
    }
  } else if (order.empty() || args.serve_all) {
    // No preference at all for this client: every candidate is as good as another. Under
    // serve_all (failing open) the same holds when the preferred regions have no members.
    for (const Candidate& c : candidates) subset.push(c);
  } else {
    // No candidate is in a region of the client's order: the caller applies the all-down action.
    for (const Candidate& c : candidates) {
      mark(args.trace, c.member, MemberReason::region_not_preferred);
    }
    return;
  }

  const PolicyKind within =
      pool.geo.within_region == PolicyKind::geo ? PolicyKind::weighted : pool.geo.within_region;
  Picked inner;
  pick(within, args, subset.view(), inner);
  for (std::uint32_t i = 0; i < inner.count; ++i) out.push(inner.members[i]);
  // A hash sub-policy also depends on the client's subnet: the scope must cover both.
  if (inner.scope > out.scope) out.scope = inner.scope;
}

}  // namespace gslbd::pool::detail
