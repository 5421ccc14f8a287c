// SPDX-License-Identifier: Apache-2.0
// Dropping root after the listen sockets are bound: switch to the configured user and group and
// keep only CAP_NET_RAW (ICMP health checks open raw sockets at any time) and
// CAP_NET_BIND_SERVICE (a socket opened after start, such as a control listener, may still use a
// port below 1024).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace gslbd::app {

// The capabilities gslbd keeps, as a mask of bits (1 << CAP_x) as /proc/PID/status shows them.
std::uint64_t kept_capabilities();

// A user and group resolved to ids.
struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
};

// Looks up `user` (getpwnam_r) and `group` (getgrnam_r; the user's primary group when not
// given). Returns nullopt with `error` set to one line naming what was not found.
std::optional<Identity> resolve_identity(const std::string& user,
                                         const std::optional<std::string>& group,
                                         std::string& error);

// Becomes `user`/`group` keeping only kept_capabilities(), then sets no_new_privs.
//  - as root with a user: drops the bounding set to the kept capabilities, sets the
//    supplementary groups to the one group, setresgid, setresuid (keeping capabilities across
//    it), then limits the permitted and effective sets to the kept ones;
//  - as root without a user or group: changes nothing (logged at info, gslbd keeps running as
//    root, which is what the operator asked for by not naming a user);
//  - not root without a user or group: changes nothing (logged at debug);
//  - not root with a user or group: fine when we already run as exactly that user and group
//    (systemd's User=/Group= did it), otherwise an error;
//  - a group without a user: an error.
// Must run before any thread is started: capabilities are per thread, and only the calling
// thread's sets are changed. Returns false with `error` set to one line on any failing step;
// the process is then in an unknown state and must exit.
bool drop_privileges(const std::optional<std::string>& user,
                     const std::optional<std::string>& group, std::string& error);

}  // namespace gslbd::app
