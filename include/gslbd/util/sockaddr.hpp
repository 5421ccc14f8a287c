// SPDX-License-Identifier: Apache-2.0
// Socket addresses as gslbd's code sees them, and the one loopback rule. Any thread; noexcept.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string_view>

#include "gslbd/util/address.hpp"

namespace gslbd::util {

// The address of a socket peer (or end): family and octets, and the port when asked for. An
// IPv4 client reaching a dual-stack IPv6 socket shows as ::ffff:a.b.c.d; it is that IPv4
// client (for policies, the geo map, /explain and the query log alike). Other families: none.
Address client_address(const sockaddr_storage& storage, std::uint16_t* port = nullptr) noexcept;

// 127.0.0.0/8, ::1, and 127.0.0.0/8 written IPv4-mapped (::ffff:127.x.y.z).
bool is_loopback(const Address& address) noexcept;
// The same for an address literal; a name (even "localhost") is not an address.
bool is_loopback_host(std::string_view host) noexcept;

}  // namespace gslbd::util
