// SPDX-License-Identifier: Apache-2.0
// Pool members reached by host name (`target:` instead of `address:`): reading the name, and
// the rules that keep a pool's answers of one kind (all CNAMEs or all addresses).
#pragma once

#include <cstddef>
#include <vector>

#include "gslbd/pool/pool_set.hpp"
#include "yaml_reader.hpp"

namespace gslbd::config::detail {

// Reads the member's `target:` into member.target, member.target_record and an address of
// family pool::kNameFamily. Returns false when the member has no target (it then needs an
// address). A member with both, or with a target but neither server.resolver (`resolver`
// false) nor a check_address to probe, is an error.
bool read_member_target(Diagnostics& diag, const MapReader& member, pool::Member& out,
                        bool resolver);

// A pool's members (its `members:` items) are all addresses or all host names: each member of
// the other kind than the first is an error. Sets pool.by_name for a pool of names.
void check_member_kinds(Diagnostics& diag, const std::vector<Value>& items, pool::Pool& pool);

// The pools a fallback chain reaches from pools.pools[index] answer as that pool does (all
// CNAMEs or all addresses); else an error at mark (the pool's fallback_pool key).
void check_fallback_kinds(const pool::PoolSet& pools, std::size_t index, Diagnostics& diag,
                          const YAML::Mark& mark);

}  // namespace gslbd::config::detail
