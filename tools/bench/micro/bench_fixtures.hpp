// SPDX-License-Identifier: Apache-2.0
// Zones, pools, snapshots and wire queries for the micro-benchmarks, built without the YAML
// loader (as the unit tests build theirs); setup only, never inside a timed loop.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/pool/pool_set.hpp"
#include "gslbd/query/answer.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/util/address.hpp"
#include "gslbd/util/rng.hpp"
#include "gslbd/zone/zone.hpp"

namespace bench {

// Absolute presentation name ("www.example.test.") to lowercase wire form; exits on bad text.
std::string wire(std::string_view text);

gslbd::util::Address address(std::string_view text);

struct QueryShape {
  bool edns = false;
  std::uint16_t udp_size = 1232;
  // EDNS Client Subnet (implies edns) when ecs_prefix > 0: ecs_address masked to ecs_prefix.
  std::string_view ecs_address = "203.0.113.0";
  std::uint8_t ecs_prefix = 0;
  // A DNS cookie option (implies edns) with this eight-octet client cookie and no server cookie,
  // as a resolver's first query to a server carries it.
  bool client_cookie = false;
};

// The defences a snapshot is built with: DNS cookies (on by default, as in a real config) and
// response rate limiting in log_only mode, so that every response is accounted and none dropped.
struct Defences {
  bool cookies = true;
  bool rate_limit = false;
  auto operator<=>(const Defences&) const = default;
};

// A request as a resolver sends it: RD set, one question, OPT last when asked for.
std::vector<std::uint8_t> make_query(std::string_view name, std::uint16_t qtype,
                                     const QueryShape& shape = {});

// "example.test." with SOA, apex NS, ns1 A, www A x2, and hosts names "h<i>" with one A each,
// plus the given services. Every name of a zone is a hash-index entry, so `hosts` sets the
// index size the lookups probe.
std::unique_ptr<gslbd::zone::Zone> build_zone(std::uint32_t hosts,
                                              const std::vector<gslbd::zone::Service>& services);

// Presentation name of host i in build_zone's zone.
std::string host_name(std::uint32_t i);

// Members of the eight-member pools: m0..m7 at 192.0.2.1..8, weights 100..800, priority 10
// for m0..m3 and 20 for m4..m7, region eu for m0..m3 and us for m4..m7.
inline constexpr std::uint32_t kPoolMembers = 8;

// One eight-member pool of the given policy: max_records 2, and min_healthy 2 so that failover
// and geo leave their first choice once fewer than two of its members serve. Its geo policy
// reads geo map 0 of the PoolSet (bench_geo_map: 198.51.100.0/24 eu, 203.0.113.0/24 and 10/8
// us). Members use health slots first_slot .. first_slot + 7.
gslbd::pool::Pool eight_member_pool(const std::string& name, gslbd::pool::PolicyKind policy,
                                    std::uint32_t first_slot);
gslbd::geo::GeoMap bench_geo_map();

// Takes members m0, m1 and m2 of the pool out of service (down, known): failover's first group
// and geo's eu region then fall below min_healthy.
void mark_some_down(const gslbd::pool::Pool& pool, gslbd::health::HealthTable& health);

// The answer-path snapshot: build_zone(hosts) with services "app" (weighted pool), "sticky"
// (hash pool, /24), "geo" (geo pool over bench_geo_map) and "near" (geo with closest; the map
// locates 198.51.100.0/24), every member up, client_subnet on.
std::shared_ptr<const gslbd::runtime::Snapshot> service_snapshot(std::uint32_t hosts,
                                                                 Defences defences = {});

// service_snapshot(hosts, defences), built once per size and defences for the whole run: the
// benchmark runner calls a benchmark function several times while it settles the iteration count,
// and building a 100k-name zone each time would dominate the run.
const gslbd::runtime::Snapshot& cached_snapshot(std::uint32_t hosts, Defences defences = {});

// A worker's view when answering: a fixed-seed policy state prepared for the snapshot, a
// client at 198.51.100.7, and the query record workers pass (its filling is part of the cost).
class Worker {
 public:
  explicit Worker(const gslbd::runtime::Snapshot& snapshot);

  std::size_t answer(const std::vector<std::uint8_t>& request) noexcept {
    record_ = gslbd::stats::QueryRecord{};
    return gslbd::query::answer_query(snapshot_, request.data(), request.size(), context_,
                                      out_.data(), out_.size());
  }
  const std::uint8_t* out() const noexcept { return out_.data(); }

 private:
  const gslbd::runtime::Snapshot& snapshot_;
  gslbd::query::PolicyState policy_state_{42};
  gslbd::stats::QueryRecord record_;
  gslbd::query::QueryContext context_;
  std::vector<std::uint8_t> out_ = std::vector<std::uint8_t>(65535);
};

}  // namespace bench
