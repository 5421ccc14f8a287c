// SPDX-License-Identifier: Apache-2.0
#include "gslbd/util/address.hpp"

#include <arpa/inet.h>
#include <endian.h>

#include <cstring>

namespace gslbd::util {

std::optional<Address> parse_address(std::string_view text) {
  const std::string copy(text);
  Address address;
  if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) {
    address.family = 4;
    return address;
  }
  if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) {
    address.family = 6;
    return address;
  }
  return std::nullopt;
}

std::string address_text(const Address& address) {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (address.family == 4) {
    inet_ntop(AF_INET, address.bytes.data(), buffer, sizeof buffer);
  } else if (address.family == 6) {
    inet_ntop(AF_INET6, address.bytes.data(), buffer, sizeof buffer);
  }
  return buffer;
}

Address masked(const Address& address, unsigned bits) noexcept {
  const unsigned width = address.family == 4 ? 32 : 128;
  if (bits > width) bits = width;
  // The address as two big-endian 64-bit halves, masked without a branch per octet: this runs
  // for every rate-limited response and every ECS answer.
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  std::memcpy(&high, address.bytes.data(), 8);
  std::memcpy(&low, address.bytes.data() + 8, 8);
  const std::uint64_t all = ~std::uint64_t{0};
  const std::uint64_t high_mask = bits >= 64 ? all : bits == 0 ? 0 : all << (64 - bits);
  const std::uint64_t low_mask = bits <= 64 ? 0 : bits >= 128 ? all : all << (128 - bits);
  high = htobe64(be64toh(high) & high_mask);
  low = htobe64(be64toh(low) & low_mask);
  Address out;
  out.family = address.family;
  std::memcpy(out.bytes.data(), &high, 8);
  std::memcpy(out.bytes.data() + 8, &low, 8);
  return out;
}

}  // namespace gslbd::util
