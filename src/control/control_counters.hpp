// SPDX-License-Identifier: Apache-2.0
// What the control endpoint counts about itself, for /metrics.
// Control thread only (plain fields: one thread writes and reads them).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>

#include "gslbd/control/control_server.hpp"

namespace gslbd::control {

// Pushes of operator actions this endpoint received (POST /peer/actions), by what became of
// the request and of its records.
struct PushCounters {
  std::uint64_t accepted = 0;      // 200: read and merged
  std::uint64_t unauthorized = 0;  // 401: no token or a wrong one
  std::uint64_t malformed = 0;     // 400 or 415: not a push document
  std::uint64_t oversized = 0;     // 413: longer than control.max_request_bytes
  std::uint64_t applied = 0;       // records newer than the one kept: applied
  std::uint64_t older = 0;         // records not newer than the one kept: ignored
  std::uint64_t refused = 0;       // records for a member this config lacks, or from the future
  // Refused pushes are logged at most once per second; the ones in between are counted in the
  // next line, so a client that sends garbage in a loop cannot flood the log.
  std::chrono::steady_clock::time_point last_log{};
  std::uint64_t unlogged = 0;
};

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
  PushCounters pushes;
};

}  // namespace gslbd::control
