// SPDX-License-Identifier: Apache-2.0
// Answers for service names: the pool's policy picks members for the query's address family
// and their addresses become the A or AAAA RRset, with the service's (or degraded) TTL; a pool
// of host names answers every type with one CNAME to the member it picks.
// Worker thread; no allocation.
#pragma once

#include <cstdint>
#include <string_view>

#include "gslbd/dns/query.hpp"
#include "gslbd/dns/response_writer.hpp"
#include "gslbd/pool/pool_set.hpp"
#include "gslbd/query/policy_state.hpp"
#include "gslbd/stats/worker_stats.hpp"
#include "gslbd/util/address.hpp"
#include "gslbd/zone/node.hpp"
#include "signing.hpp"

namespace gslbd::query {

enum class ServiceResult : std::uint8_t {
  answered,   // the RRset was written
  nodata,     // nothing to say for this type (or the pool chose nobody): NODATA with SOA
  servfail,   // the pool is all down and says servfail, or the answer could not be signed
  truncated,  // the RRset did not fit
  aliased,    // a pool of host names: the CNAME to the chosen member was written
};

struct ServiceEnv {
  const pool::PoolSet* pools = nullptr;
  PolicyState* policy_state = nullptr;
  util::Client client;                   // ECS subnet or source address
  std::uint8_t* ecs_scope = nullptr;     // where to put the scope the answer justifies
  stats::QueryRecord* record = nullptr;  // pool, outcome and chosen members, when set
  SigningEnv signing;                    // on: the answer is signed (signed zone, DO=1)
};

// For `aliased`, *target (when given) is set to the CNAME's target, a wire name that stays valid
// as long as the pools do.
ServiceResult answer_service(const zone::Service& service, const dns::Query& query,
                             std::string_view owner, std::string_view owner_lower,
                             const ServiceEnv& env, dns::ResponseWriter& writer,
                             std::string_view* target = nullptr) noexcept;

// The client a policy answers for: the ECS subnet when present (and ECS is on), else the source.
util::Client client_of(const dns::Query& query, const util::Address& source,
                       bool use_client_subnet) noexcept;

}  // namespace gslbd::query
