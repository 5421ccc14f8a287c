// SPDX-License-Identifier: Apache-2.0
// Wall-clock times as the control endpoint shows them: RFC 3339 in UTC for people and JSON,
// fractional unix seconds for Prometheus.
#pragma once

#include <chrono>
#include <string>

namespace gslbd::control {

// "2026-01-02T03:04:05Z" (whole seconds, UTC).
std::string rfc3339(std::chrono::system_clock::time_point time);

double unix_seconds(std::chrono::system_clock::time_point time) noexcept;

}  // namespace gslbd::control
