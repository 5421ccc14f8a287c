// SPDX-License-Identifier: Apache-2.0
// The geo policy: client network -> region -> ordered region preference -> a sub-policy over
// the members of the first region in that order that can serve. With its closest option, a
// client the map can locate gets the members nearest to it instead.
#include "gslbd/pool/min_healthy.hpp"
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

// Where the map places the client: its own point (a config network with a location, or a City
// database record), else its region's `location:`. Null when neither is known.
const geo::Coordinates* client_point(const geo::GeoMap& map, const geo::GeoMatch& match,
                                     const geo::LocationMatch& located, bool& by_region) noexcept {
  by_region = false;
  if (located.location >= 0 &&
      static_cast<std::size_t>(located.location) < map.locations().size()) {
    return &map.locations()[static_cast<std::size_t>(located.location)];
  }
  const geo::Coordinates* region = map.region_location(match.region);
  by_region = region != nullptr;
  return region;
}

// The closest choice: members within the distance band of the nearest, by weighted draw. Returns
// false (choosing nothing) when no candidate has coordinates, so the region order decides.
bool pick_closest(const PolicyArgs& args, std::span<const Candidate> candidates,
                  const geo::Coordinates& client, Picked& out) noexcept {
  const Pool& pool = args.pool;
  double distance[kMaxMembers];
  double best = -1;
  for (std::size_t i = 0; i < candidates.size() && i < kMaxMembers; ++i) {
    const Member& member = pool.members[candidates[i].member];
    distance[i] = member.has_location ? geo::great_circle_km(client, member.location) : -1;
    if (distance[i] >= 0 && (best < 0 || distance[i] < best)) best = distance[i];
  }
  if (best < 0) return false;
  const double by_percent = best * (100.0 + pool.geo.closest_tolerance_percent) / 100.0;
  const double by_km = best + pool.geo.closest_tolerance_km;
  const double limit = by_percent > by_km ? by_percent : by_km;
  CandidateList band;
  for (std::size_t i = 0; i < candidates.size() && i < kMaxMembers; ++i) {
    const std::uint32_t member = candidates[i].member;
    if (args.trace != nullptr && member < args.trace->members) {
      args.trace->member[member].distance_km = distance[i];
    }
    if (distance[i] >= 0 && distance[i] <= limit) {
      band.push(candidates[i]);
    } else {
      mark(args.trace, member, distance[i] < 0 ? MemberReason::not_located : MemberReason::farther);
    }
  }
  if (args.trace != nullptr) {
    args.trace->closest_decided = true;
    args.trace->client_location = client;
    args.trace->closest_best_km = best;
    args.trace->closest_limit_km = limit;
  }
  draw_weighted(band.view(), args.want, args.context.rng, out);
  return true;
}

}  // namespace

void pick_geo(const PolicyArgs& args, std::span<const Candidate> candidates, Picked& out) noexcept {
  const Pool& pool = args.pool;
  // A geo_map index out of range (the loader prevents it) places every client in no region.
  geo::GeoMatch match;
  const std::string* client_region = nullptr;
  const geo::GeoMap* map = nullptr;
  if (pool.geo.geo_map < args.pools.geo_maps.size()) {
    map = &args.pools.geo_maps[pool.geo.geo_map];
    match = map->lookup(args.client);
    if (match.region >= 0) client_region = &map->regions()[static_cast<std::size_t>(match.region)];
  }
  if (args.trace != nullptr) {
    args.trace->geo_map = map;
    args.trace->geo_match = match;
  }
  // The answer depends on the region the client maps to, so even an empty (all-down) result
  // carries the geo scope: other networks may well get members.
  out.scope = match.scope;
  if (pool.geo.closest && map != nullptr) {
    const geo::LocationMatch located = map->locate(args.client);
    bool by_region = false;
    const geo::Coordinates* point = client_point(*map, match, located, by_region);
    if (args.trace != nullptr) {
      args.trace->client_region = client_region;
      args.trace->location_match = located;
      args.trace->located_by_region = by_region;
    }
    // Both lookups decided: whether the client is located (and where), and its region.
    if (located.scope > out.scope) out.scope = located.scope;
    if (point != nullptr && pick_closest(args, candidates, *point, out)) return;
  }
  const std::vector<std::string>& order = region_order(pool.geo, client_region);

  // First region in the order with >= min_healthy candidates; failing that, the first with any.
  const std::string* chosen = nullptr;
  for (const std::string& region : order) {
    if (meets_min_healthy(pool.min_healthy, count_in_region(pool, candidates, region))) {
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
