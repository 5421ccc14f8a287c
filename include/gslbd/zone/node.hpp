// SPDX-License-Identifier: Apache-2.0
// An owner name inside a zone with its RRsets, delegation and service links. A view into its
// Zone's arenas, like RRset.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gslbd/zone/rrset.hpp"

namespace gslbd::zone {

class Node {
 public:
  std::uint32_t cut = kNoNode;  // index of the highest delegation at or above this node
  std::int32_t service = -1;    // index into Zone::services(), or -1

  // The lowercase uncompressed wire name.
  std::string_view name() const noexcept {
    return {reinterpret_cast<const char*>(name_ + 1), name_[0]};
  }
  // Sorted by type; empty for an empty non-terminal.
  std::span<const RRset> rrsets() const noexcept { return {rrsets_, rrset_count_}; }

  const RRset* find(std::uint16_t type) const noexcept {
    for (const RRset& set : rrsets()) {
      if (set.type == type) return &set;
    }
    return nullptr;
  }
  bool is_delegation_point() const noexcept;
  bool empty_non_terminal() const noexcept { return rrset_count_ == 0 && service < 0; }

 private:
  friend class ZoneBuilder;
  // 32 octets in all, so that a million names fit in a few tens of MB (tools/bench-peers).
  const std::uint8_t* name_ = nullptr;  // length octet, then the name
  const RRset* rrsets_ = nullptr;
  std::uint32_t rrset_count_ = 0;
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
