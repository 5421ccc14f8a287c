// Listening sockets made by hand (SO_REUSEPORT, which libuv does not set) before any worker
// starts, so that a port already taken or a bad address is one clear fatal error at startup.
#pragma once

#include <string>
#include <vector>

#include "gslbd/config/server_config.hpp"

namespace gslbd::server {

// One worker's sockets: a UDP socket and a TCP listener per listen address. Owns the fds until
// they are handed to libuv (which then closes them).
struct WorkerSockets {
  std::vector<int> udp;
  std::vector<int> tcp;
};

// Opens the sockets of `workers` workers for every address. On failure closes what it opened,
// sets error (naming the address and the system's reason) and returns an empty vector.
std::vector<WorkerSockets> open_listen_sockets(const std::vector<config::ListenAddress>& listen,
                                               unsigned workers, std::string& error);

void close_sockets(std::vector<WorkerSockets>& sockets) noexcept;

}  // namespace gslbd::server
