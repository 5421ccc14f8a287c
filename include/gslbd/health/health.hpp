// SPDX-License-Identifier: Apache-2.0
// A member's health as policies see it, and its packing into one 64-bit word so that it can be
// published with a single atomic store (the health loop) and read with a single load (workers).
#pragma once

#include <cstdint>

namespace gslbd::health {

struct Health {
  bool up = false;                  // the rise/fall machine's verdict (or the forced state)
  bool known = false;               // at least one full round of checks has completed
  bool forced = false;              // an operator forced the state (up says which)
  bool drained = false;             // gets no new answers but is still checked
  std::uint8_t agent_weight = 100;  // percent reported by an agent check; 100 without one
  std::uint32_t rtt_us = 0;         // EWMA of probe round-trip times, microseconds; 0 = none yet

  bool operator==(const Health&) const = default;
};

// A member that may be named in new answers.
inline bool serving(const Health& h) noexcept {
  return h.up && !h.drained;
}

// Layout: bit 0 up, 1 known, 2 forced, 3 drained; bits 8..15 agent weight; bits 32..63 RTT.
inline std::uint64_t pack(const Health& h) noexcept {
  return std::uint64_t{h.up} | (std::uint64_t{h.known} << 1) | (std::uint64_t{h.forced} << 2) |
         (std::uint64_t{h.drained} << 3) | (std::uint64_t{h.agent_weight} << 8) |
         (std::uint64_t{h.rtt_us} << 32);
}

inline Health unpack(std::uint64_t word) noexcept {
  Health h;
  h.up = (word & 1) != 0;
  h.known = (word & 2) != 0;
  h.forced = (word & 4) != 0;
  h.drained = (word & 8) != 0;
  h.agent_weight = static_cast<std::uint8_t>((word >> 8) & 0xff);
  h.rtt_us = static_cast<std::uint32_t>(word >> 32);
  return h;
}

}  // namespace gslbd::health
