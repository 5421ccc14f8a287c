// SPDX-License-Identifier: Apache-2.0
// What the control endpoint counts about itself, for /metrics.
// Control thread only (plain fields: one thread writes and reads them).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>

#include "gslbd/control/control_server.hpp"

namespace gslbd::control {

struct ControlCounters {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_rejected = 0;  // over a bound with nothing to evict: closed at once
  // Waiting connections closed to make room for a new one: its source was at
  // max_connections_per_source, or the server at max_connections.
  std::uint64_t evicted_source_full = 0;
  std::uint64_t evicted_server_full = 0;
  std::uint64_t idle_timeouts = 0;         // no octet for idle_timeout
  std::uint64_t request_timeouts = 0;      // the request not whole by request_timeout
  std::map<int, std::uint64_t> responses;  // by HTTP status; a handful of keys
};

}  // namespace gslbd::control
