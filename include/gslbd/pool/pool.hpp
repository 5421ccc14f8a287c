// SPDX-License-Identifier: Apache-2.0
// Pools of load-balancer instances (members) and their answer policy settings, as loaded from
// the pool files. Immutable once built; part of a config snapshot.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/geo/geo_map.hpp"
#include "gslbd/health/check_rule.hpp"
#include "gslbd/health/check_spec.hpp"
#include "gslbd/pool/consensus.hpp"
#include "gslbd/util/address.hpp"

namespace gslbd::pool {

inline constexpr std::size_t kMaxRecords = 16;  // A/AAAA per answer, upper bound for max_records
// Members per pool the policies consider: they keep per-member scratch in bounded stack arrays
// (no allocation on the query path). The loader refuses pools with more members; if one ever
// got through, members past this bound (in each address family) would simply never be named.
inline constexpr std::size_t kMaxMembers = 256;
// The largest weight a member may be given, in a pool file or by an operator's override.
inline constexpr std::uint32_t kMaxMemberWeight = 1'000'000;

enum class PolicyKind : std::uint8_t {
  weighted,     // max_records distinct serving members, random in proportion to weight
  round_robin,  // rotate through serving members (per worker)
  latency,      // members whose RTT EWMA is within tolerance of the best, weighted among them
  failover,     // lowest priority group with >= min_healthy serving members
  hash,         // rendezvous hash of the client subnet: sticky per client network
  geo,          // client network -> region -> ordered region preference -> sub-policy
  least_load,   // highest agent-reported spare capacity first
  // Drawn in proportion to spare capacity read from the balancer (see load_weight.hpp):
  least_connections,  // sessions, against the session limit or the weight
  response_time,      // the balancer's measured backend response time
  bandwidth,          // bytes per second against the member's configured link capacity
};

// The one table of policy names, as pool files, /status, /explain and logs spell them.
struct PolicyName {
  std::string_view name;
  PolicyKind kind;
};
inline constexpr PolicyName kPolicyNames[] = {
    {"weighted", PolicyKind::weighted},
    {"round_robin", PolicyKind::round_robin},
    {"latency", PolicyKind::latency},
    {"failover", PolicyKind::failover},
    {"hash", PolicyKind::hash},
    {"geo", PolicyKind::geo},
    {"least_load", PolicyKind::least_load},
    {"least_connections", PolicyKind::least_connections},
    {"response_time", PolicyKind::response_time},
    {"bandwidth", PolicyKind::bandwidth},
};

inline std::string_view policy_name(PolicyKind kind) noexcept {
  for (const PolicyName& entry : kPolicyNames) {
    if (entry.kind == kind) return entry.name;
  }
  return "unknown";
}

// The policies that read a member's balancer load (its haproxy check's figures).
inline bool reads_load(PolicyKind kind) noexcept {
  return kind == PolicyKind::least_connections || kind == PolicyKind::response_time ||
         kind == PolicyKind::bandwidth;
}

enum class AllDownAction : std::uint8_t { serve_all, fallback_pool, nodata, servfail };

struct AllDownName {
  std::string_view name;
  AllDownAction action;
};
inline constexpr AllDownName kAllDownNames[] = {{"serve_all", AllDownAction::serve_all},
                                                {"fallback_pool", AllDownAction::fallback_pool},
                                                {"nodata", AllDownAction::nodata},
                                                {"servfail", AllDownAction::servfail}};

inline std::string_view all_down_name(AllDownAction action) noexcept {
  for (const AllDownName& entry : kAllDownNames) {
    if (entry.action == action) return entry.name;
  }
  return "unknown";
}

// The address family of a member reached by name (Member::target): it answers A and AAAA
// questions alike, with a CNAME.
inline constexpr std::uint8_t kNameFamily = 0;

struct Member {
  std::string name;
  util::Address address;  // the VIP named in answers; family kNameFamily for a target
  // A member reached by name (target: in the pool file): its host name in lowercase text with
  // the final dot, and the CNAME record answers carry, in stored form (rdlength, wire name).
  // Both empty for a member with an address.
  std::string target;
  std::vector<std::uint8_t> target_record;
  std::uint32_t weight = 100;  // 0 = never chosen while another member can be
  std::uint32_t priority = 0;  // failover group; lower is preferred
  std::string region;
  // Where the member is, for geo's closest option: its own `location:`, else its region's in
  // the pool's geo map (set at load); has_location false when neither is known.
  geo::Coordinates location;
  bool has_location = false;
  std::uint64_t bandwidth_bps = 0;  // link capacity in bits per second (policy bandwidth)
  std::uint32_t health_slot = 0;    // index into the generation's HealthTable
  // Slow start: after recovering, the member's weight ramps up over this time (0 = none).
  std::uint32_t slow_start_ms = 0;

  // What the health loop needs (policies never look at these).
  // Probe target: check_address if given, else address; for a target without check_address,
  // family 0: the health loop probes the addresses the name resolves to.
  util::Address check_address;
  std::vector<health::CheckSpec> checks;  // combined by healthy_when; empty = always up
  health::CheckRule healthy_when;         // all (default), any, at_least N
  health::InitialState initial_state = health::InitialState::wait;
};

// A member whose balancer reports its load (it has a check of type haproxy).
inline bool reports_load(const Member& member) noexcept {
  for (const health::CheckSpec& check : member.checks) {
    if (check.type == health::CheckType::haproxy) return true;
  }
  return false;
}

struct LatencySettings {
  std::uint32_t tolerance_percent = 50;   // within best * (1 + percent/100)...
  std::uint32_t tolerance_min_us = 1000;  // ...or best + this, whichever is larger
};

struct GeoSettings {
  std::uint32_t geo_map = 0;  // index into PoolSet::geo_maps
  // region preference: for a client in region R, try regions in preference[R] order; clients
  // in no region use default_order. Region names index Pool members' region strings.
  std::vector<std::pair<std::string, std::vector<std::string>>> preference;
  std::vector<std::string> default_order;
  PolicyKind within_region = PolicyKind::weighted;  // never geo
  // closest: a client the map can locate gets the serving members nearest to it by great-circle
  // distance, those within best * (1 + percent/100) or best + km, whichever is larger, drawn by
  // weight; a client it cannot locate is answered by the region order above.
  bool closest = false;
  std::uint32_t closest_tolerance_percent = 20;
  std::uint32_t closest_tolerance_km = 100;
};

struct Pool {
  std::string name;
  PolicyKind policy = PolicyKind::weighted;
  std::vector<Member> members;
  // Every member is a host name (the loader refuses pools that mix, and fallback chains that
  // mix): an answer is one CNAME to the chosen member, for A and AAAA questions alike.
  bool by_name = false;
  std::uint32_t max_records = 2;  // 1..kMaxRecords
  AllDownAction all_down = AllDownAction::serve_all;
  std::int32_t fallback_pool = -1;  // index in PoolSet::pools, for AllDownAction::fallback_pool
  std::uint8_t hash_prefix_v4 = 24;
  std::uint8_t hash_prefix_v6 = 56;
  // The pool answers from its members only while at least this many of the family asked
  // serve; with fewer it counts as all down and all_down decides (every policy; min_healthy.hpp).
  std::uint32_t pool_min_healthy = 1;
  std::uint32_t min_healthy = 1;  // failover: a group needs this many serving members
  bool preempt = true;            // failover: go back to a better group as soon as it recovers
  std::uint32_t failover_slot =
      0;  // failover without preempt: HealthTable slot of the active group
  LatencySettings latency;
  GeoSettings geo;
  Consensus consensus;  // how the fleet's verdicts combine (own: this instance's checks only)
};

}  // namespace gslbd::pool
