// An owner name inside a zone with its RRsets, delegation and service links.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gslbd/zone/rrset.hpp"

namespace gslbd::zone {

struct Node {
  std::string name;             // lowercase uncompressed wire name
  std::vector<RRset> rrsets;    // sorted by type; empty for an empty non-terminal
  std::uint32_t cut = kNoNode;  // index of the highest delegation at or above this node
  std::int32_t service = -1;    // index into Zone::services(), or -1

  const RRset* find(std::uint16_t type) const noexcept {
    for (const RRset& set : rrsets) {
      if (set.type == type) return &set;
    }
    return nullptr;
  }
  bool is_delegation_point() const noexcept;
  bool empty_non_terminal() const noexcept { return rrsets.empty() && service < 0; }
};

// A dynamic name answered from a pool (filled in by the pools module).
struct Service {
  std::string name;  // lowercase wire
  std::string pool;
  std::uint32_t ttl = 30;
  std::uint32_t degraded_ttl = 30;  // while some member of the pool is not serving
  std::int32_t pool_index = -1;     // index in the config's PoolSet, resolved at load
};

}  // namespace gslbd::zone
