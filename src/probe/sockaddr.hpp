// SPDX-License-Identifier: Apache-2.0
// Conversions between util::Address and the socket API / URLs, for the probes.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "gslbd/util/address.hpp"

namespace gslbd::probe {

// Fills `out` with address:port; returns false for an address without a family.
bool to_sockaddr(const util::Address& address, std::uint16_t port, sockaddr_storage& out) noexcept;

// "192.0.2.1" or "[2001:db8::1]": the host part of a URL or of CURLOPT_CONNECT_TO.
std::string url_host(const util::Address& address);

}  // namespace gslbd::probe
