// SPDX-License-Identifier: Apache-2.0
#include "sockaddr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace gslbd::probe {

bool to_sockaddr(const util::Address& address, std::uint16_t port, sockaddr_storage& out) noexcept {
  std::memset(&out, 0, sizeof out);
  if (address.family == 4) {
    sockaddr_in in4{};
    in4.sin_family = AF_INET;
    in4.sin_port = htons(port);
    std::memcpy(&in4.sin_addr, address.bytes.data(), 4);
    std::memcpy(&out, &in4, sizeof in4);
    return true;
  }
  if (address.family == 6) {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    std::memcpy(&in6.sin6_addr, address.bytes.data(), 16);
    std::memcpy(&out, &in6, sizeof in6);
    return true;
  }
  return false;
}

std::string url_host(const util::Address& address) {
  const std::string text = util::address_text(address);
  return address.family == 6 ? "[" + text + "]" : text;
}

}  // namespace gslbd::probe
