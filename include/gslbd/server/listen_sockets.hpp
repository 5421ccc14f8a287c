// SPDX-License-Identifier: Apache-2.0
// Listening sockets made by hand (SO_REUSEPORT, which libuv does not set) before any worker
// starts, so that a port already taken or a bad address is one clear fatal error at startup.
#pragma once

#include <string>
#include <vector>

#include "gslbd/runtime/server_config.hpp"

namespace gslbd::server {

// One shard's sockets: a UDP socket and a TCP listener per listen address. Owns the fds until
// they are handed to libuv (which then closes them).
struct ShardSockets {
  std::vector<int> udp;
  std::vector<int> tcp;
};

// Opens the sockets of `workers` shards (server.workers) for every address. On failure closes what
// it opened, sets error (naming the address and the system's reason) and returns an empty vector.
std::vector<ShardSockets> open_listen_sockets(const std::vector<runtime::ListenAddress>& listen,
                                              unsigned workers, std::string& error);

void close_sockets(std::vector<ShardSockets>& sockets) noexcept;

// Binds `listen` once for UDP and once for TCP WITHOUT SO_REUSEPORT, then closes both. The
// kernel refuses such a bind (EADDRINUSE) while any other socket holds the address or an
// overlapping one (0.0.0.0:P against 127.0.0.1:P), whether that socket set SO_REUSEPORT or not,
// while the SO_REUSEPORT group opened next would be let in beside a holder of the same user.
// TCP sets SO_REUSEADDR, so connections of an earlier run in TIME_WAIT do not count.
// Returns 0, or the errno of the failing bind with `type` set to SOCK_DGRAM or SOCK_STREAM and
// `error` to one line naming the address.
int probe_listen_address(const runtime::ListenAddress& listen, int& type, std::string& error);

// "udp 127.0.0.1:53", "tcp [::1]:53": how the messages name a socket.
std::string socket_text(const runtime::ListenAddress& listen, int type);

}  // namespace gslbd::server
