// SPDX-License-Identifier: Apache-2.0
// Cheap monotonic time for per-query durations (vDSO clock_gettime, no allocation).
#pragma once

#include <time.h>

#include <cstdint>

namespace gslbd::util {

inline std::uint64_t monotonic_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

// The same clock in milliseconds: slow-start ramps (written by the health loop, read by
// workers) are measured on it.
inline std::uint64_t monotonic_ms() noexcept {
  return monotonic_ns() / 1'000'000u;
}

}  // namespace gslbd::util
