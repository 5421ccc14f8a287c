// SPDX-License-Identifier: Apache-2.0
#include "gslbd/util/sockaddr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace gslbd::util {
namespace {

constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr std::uint8_t kIpv6Loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

}  // namespace

Address client_address(const sockaddr_storage& storage, std::uint16_t* port) noexcept {
  Address address;
  std::uint16_t found_port = 0;
  if (storage.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&storage);
    address.family = 4;
    std::memcpy(address.bytes.data(), &sin->sin_addr, 4);
    found_port = ntohs(sin->sin_port);
  } else if (storage.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    address.family = 6;
    std::memcpy(address.bytes.data(), &sin6->sin6_addr, 16);
    found_port = ntohs(sin6->sin6_port);
    if (std::memcmp(address.bytes.data(), kMappedPrefix, sizeof kMappedPrefix) == 0) {
      address.family = 4;
      std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
      std::memset(address.bytes.data() + 4, 0, 12);
    }
  }
  if (port != nullptr) *port = found_port;
  return address;
}

bool is_loopback(const Address& address) noexcept {
  if (address.family == 4) return address.bytes[0] == 127;
  if (address.family != 6) return false;
  if (std::memcmp(address.bytes.data(), kMappedPrefix, sizeof kMappedPrefix) == 0) {
    return address.bytes[12] == 127;
  }
  return std::memcmp(address.bytes.data(), kIpv6Loopback, sizeof kIpv6Loopback) == 0;
}

bool is_loopback_host(std::string_view host) noexcept {
  const auto address = parse_address(host);
  return address.has_value() && is_loopback(*address);
}

}  // namespace gslbd::util
