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
  std::uint64_t connections_rejected = 0;  // over max_connections: closed at once
  std::uint64_t idle_timeouts = 0;
  std::map<int, std::uint64_t> responses;  // by HTTP status; a handful of keys
};

}  // namespace gslbd::control
