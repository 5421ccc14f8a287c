// SPDX-License-Identifier: Apache-2.0
// A socket peer address as the query path sees it (family and octets, no port).
#pragma once

#include <sys/socket.h>

#include "gslbd/util/address.hpp"

namespace gslbd::server {

util::Address peer_address(const sockaddr_storage& peer) noexcept;

}  // namespace gslbd::server
