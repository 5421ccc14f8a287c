// SPDX-License-Identifier: Apache-2.0
// Listen addresses served by one gslbd alone. SO_REUSEPORT lets any socket of the same user join
// a group, so two gslbd instances (or gslbd and unbound) would silently split one address's
// traffic. Before opening its SO_REUSEPORT group, gslbd binds each address once without it
// (refused while anyone else holds it) and closes that probe; a lock file per port serialises
// this probe-then-bind between gslbd instances starting at the same moment.
#pragma once

#include <string>
#include <vector>

#include "gslbd/runtime/server_config.hpp"
#include "gslbd/server/listen_sockets.hpp"

namespace gslbd::server {

// Where the lock files go: the first entry of $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=),
// else /run/gslbd; when that cannot be created or written, $XDG_RUNTIME_DIR/gslbd, else
// /tmp/gslbd-<uid> (private to the user). Empty when none is usable.
std::string lock_directory();

// Who holds a socket of `type` (SOCK_DGRAM or SOCK_STREAM, listening) on the address or an
// overlapping wildcard: "unbound (pid 812)", several joined by ", "; empty when not visible to
// this process. Reads /proc/net and /proc/<pid>/fd; bounded in processes visited.
std::string address_holders(const runtime::ListenAddress& listen, int type);

// open_listen_sockets, exclusive to this process: under a lock on each port (in lock_dir, when
// not empty; waits up to a few seconds for another gslbd's start-up), probes every address with
// probe_listen_address, then opens the workers' SO_REUSEPORT sockets and lets the locks go. On
// failure returns an empty vector and one line in `error` naming the address and, when it can
// be found, the process holding it.
std::vector<ShardSockets> open_exclusive_listen_sockets(
    const std::vector<runtime::ListenAddress>& listen, unsigned workers,
    const std::string& lock_dir, std::string& error);

}  // namespace gslbd::server
