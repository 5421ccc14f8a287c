// SPDX-License-Identifier: Apache-2.0
#include "peer_address.hpp"

#include <netinet/in.h>

#include <cstring>

namespace gslbd::server {

util::Address peer_address(const sockaddr_storage& peer) noexcept {
  util::Address address;
  if (peer.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&peer);
    address.family = 4;
    std::memcpy(address.bytes.data(), &sin->sin_addr, 4);
  } else if (peer.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&peer);
    address.family = 6;
    std::memcpy(address.bytes.data(), &sin6->sin6_addr, 16);
    // An IPv4 client on a dual-stack socket is that IPv4 client for policies.
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(address.bytes.data(), kMapped, 12) == 0) {
      address.family = 4;
      std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
      std::memset(address.bytes.data() + 4, 0, 12);
    }
  }
  return address;
}

}  // namespace gslbd::server
