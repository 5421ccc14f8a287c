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

}  // namespace gslbd::util
