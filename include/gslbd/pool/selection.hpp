// SPDX-License-Identifier: Apache-2.0
// Choosing the members named in one answer: the policy entry point used by the query path.
// Worker thread; noexcept; no allocation; reads health words only.
#pragma once

#include <cstdint>
#include <span>

#include "gslbd/health/health_table.hpp"
#include "gslbd/pool/fallback_chain.hpp"
#include "gslbd/pool/pool.hpp"
#include "gslbd/pool/pool_set.hpp"
#include "gslbd/util/rng.hpp"

namespace gslbd::pool {

struct SelectionTrace;  // selection_trace.hpp

enum class Outcome : std::uint8_t {
  normal,    // chosen among serving members of the pool asked for
  fallback,  // the pool was all down; members of its fallback pool were chosen
  all_down,  // the pool was all down: serve_all chose regardless of health, or nodata/servfail
};

struct Selection {
  const Pool* pool = nullptr;  // the pool whose members are named (the fallback pool if used)
  std::uint32_t members[kMaxRecords] = {};  // indices into pool->members
  std::uint32_t count = 0;
  std::uint8_t ecs_scope = 0;  // RFC 7871 scope the answer justifies; 0 = client-independent
  Outcome outcome = Outcome::normal;
  bool degraded = false;  // some member of the family is not serving (use the degraded TTL)
  bool servfail = false;  // all_down action servfail
};

// Per-worker mutable state for policies: randomness and round-robin positions.
struct SelectContext {
  util::Rng& rng;
  std::span<std::uint32_t> round_robin;  // one counter per pool index; may be empty
};

// Chooses members of `pool_index` with the address family `family` (4 for A, 6 for AAAA,
// kNameFamily for a pool of host names, which then gives one member at most).
// A pool with no member of that family yields count 0 and outcome normal (NODATA); so does a
// pool_index out of range (with pool == nullptr). max_records is clamped to 1..kMaxRecords.
// Health slots past the table's size (or no table) read as not serving. Members whose
// effective weight (weight * agent_weight) is 0 are left out while any candidate has more; when
// all are 0 they are chosen as if equally weighted, so the pool still answers.
// A pool with fewer serving members of the family than its pool_min_healthy counts as all
// down before its policy runs (for every policy, min_healthy.hpp).
// The pools tried are those of fallback_chain(pools, pool_index), in order.
// With a trace, every member of every pool tried gets the reason it was or was not named (the
// trace is overwritten); without one (the query path) nothing is recorded.
Selection select_members(const PoolSet& pools, std::uint32_t pool_index, std::uint8_t family,
                         const util::Client& client, SelectContext& context,
                         SelectionTrace* trace = nullptr) noexcept;

// Health loop, for failover pools with preempt off: the priority group that should be active
// given the previous one. Stored in the pool's failover_slot by the health loop.
// Counts serving members of both families (select_members re-checks the family it answers).
// previous is kept while it has >= min_healthy serving members; else the lowest priority group
// that has them; else the lowest priority group with any serving member; when no member serves
// at all, the pool's lowest (most preferred) priority. An empty pool returns previous.
std::uint32_t failover_active_priority(const Pool& pool, const health::HealthTable& health,
                                       std::uint32_t previous_priority) noexcept;

}  // namespace gslbd::pool
