// SPDX-License-Identifier: Apache-2.0
// All pools of a config generation, with the geo maps their geo policies use.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "gslbd/geo/geo_map.hpp"
#include "gslbd/health/health_table.hpp"
#include "gslbd/pool/pool.hpp"

namespace gslbd::pool {

struct PoolSet {
  std::vector<Pool> pools;
  std::vector<geo::GeoMap> geo_maps;
  std::shared_ptr<health::HealthTable> health;  // slots for every member (and pool state)

  // Index of the pool called name, or -1. Control plane (linear).
  std::int32_t find(std::string_view name) const noexcept;
};

// Control plane, once a set's pools are complete: gives every member its health slot (and each
// failover pool without preempt the slot that remembers its active group) and creates the
// health table with each member's initial state: up when it has no checks, else as its
// initial_state says; a remembered group starts at the pool's best priority.
void assign_health_slots(PoolSet& set);

}  // namespace gslbd::pool
