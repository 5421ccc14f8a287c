// SPDX-License-Identifier: Apache-2.0
// Why select_members named the members it named and left out the others, recorded while it
// decides: the one source /explain renders, so the selection rules are never derived twice.
// Fixed size, no allocation, filled only when a caller passes one (the query path does not).
// Any thread; the trace belongs to the caller.
#pragma once

#include <cstdint>
#include <string>

#include "gslbd/health/health.hpp"
#include "gslbd/health/load.hpp"
#include "gslbd/pool/fallback_chain.hpp"
#include "gslbd/pool/pool.hpp"

namespace gslbd::pool {

// A member's fate in one pool of the walk, set by the step of the selection that decided it.
enum class MemberReason : std::uint8_t {
  not_drawn,             // a candidate the policy's draw (or its max_records) did not reach
  chosen,                // named in the answer
  other_family,          // its address is not of the family asked for
  no_health_slot,        // its health cannot be read (no slot in the health table)
  down,                  // not up (see the health: forced, known)
  drained,               // up but drained
  weight_zero,           // effective weight 0 while other candidates have more
  outside_tolerance,     // latency: measured, but slower than the tolerance allows
  not_measured,          // latency: no RTT yet while others have one
  other_region,          // geo: the answer comes from another region of the client's order
  region_not_preferred,  // geo: its region is not in the client's preference order
  group_later,           // failover: a more preferred priority group answers
  group_short,           // failover: its group has fewer than min_healthy candidates
  group_held,            // failover without preempt: the active group keeps answering
  lower_score,           // hash: a lower rendezvous score for the client's subnet
  outside_rotation,      // round_robin: outside this rotation window
  less_capacity,         // least_load: lower agent weight than the members named
  farther,               // geo closest: located, but farther than the tolerance allows
  not_located,           // geo closest: no coordinates while other members have them
  pool_short,            // serving, but the pool has fewer serving members than min_healthy
};

struct MemberTrace {
  health::Health health;              // the word the selection read (default when unreadable)
  health::Load load;                  // read by the load-based policies only
  std::uint64_t weight = 0;           // effective weight: weight x agent_weight
  std::int64_t weight_override = -1;  // the operator's override of the weight (-1: none)
  std::uint64_t draw_weight = 0;  // what the draw used (weight-0 rule, load_weight); 0 = no draw
  std::uint32_t ramp_permille = 1000;  // slow start: share of its weight (1000 = no ramp)
  MemberReason reason = MemberReason::not_drawn;
  double distance_km = -1;    // geo closest: distance to the client (-1: not measured)
  std::uint8_t position = 0;  // place in the answer when chosen
  bool load_read = false;     // load and draw_weight come from a load-based policy
};

// One pool of the fallback walk.
struct PoolTrace {
  std::uint32_t pool = 0;     // index into PoolSet::pools
  std::uint32_t members = 0;  // traced members: min(pool size, kMaxMembers)
  MemberTrace member[kMaxMembers];
  PolicyKind decided_by = PolicyKind::weighted;  // the policy that drew (geo's sub-policy)
  bool all_down = false;    // no candidate could be chosen; the pool's all_down action ran
  bool served_all = false;  // all_down serve_all chose regardless of health
  // Serving members of the family asked, and whether they were fewer than the pool's
  // min_healthy (then the pool counted as all down without asking its policy).
  std::uint32_t serving = 0;
  bool below_min_healthy = false;
  // latency: the best RTT and the limit of the tolerance band (0 = nothing measured).
  std::uint64_t latency_best_us = 0;
  std::uint64_t latency_limit_us = 0;
  // failover: the priority group that answers; kept because preempt is off.
  std::uint32_t failover_group = 0;
  bool failover_held = false;
  // geo: the client's region (null: none) and the region chosen (null: none could serve).
  const std::string* client_region = nullptr;
  const std::string* chosen_region = nullptr;
  // geo: the map's answer for the client (network, prefix, the database key that decided).
  const geo::GeoMap* geo_map = nullptr;
  geo::GeoMatch geo_match;
  // geo closest: where the client was located (location_match.location < 0 and no region
  // point: not located, the region order decided) and the distance band.
  geo::LocationMatch location_match;
  bool located_by_region = false;  // the point is the client's region's `location:`
  bool closest_decided = false;
  geo::Coordinates client_location;
  double closest_best_km = 0;
  double closest_limit_km = 0;
};

struct SelectionTrace {
  PoolTrace pool[kMaxFallbackHops + 1];  // the pools visited, in walk order
  std::uint32_t pools = 0;
};

}  // namespace gslbd::pool
