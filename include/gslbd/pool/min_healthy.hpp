// SPDX-License-Identifier: Apache-2.0
// The one min_healthy rule: a set of members (a pool, a failover group, a geo region) may
// answer only while at least this many of them serve. Every use goes through here. Any thread;
// noexcept; pure.
#pragma once

#include <cstdint>

namespace gslbd::pool {

// A setting of 0 (never from the loader) counts as 1: a set with no serving member never answers.
inline std::uint32_t needed_serving(std::uint32_t min_healthy) noexcept {
  return min_healthy == 0 ? 1 : min_healthy;
}

inline bool meets_min_healthy(std::uint32_t min_healthy, std::uint32_t serving) noexcept {
  return serving >= needed_serving(min_healthy);
}

}  // namespace gslbd::pool
