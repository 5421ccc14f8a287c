// SPDX-License-Identifier: Apache-2.0
#include "gslbd/util/address.hpp"

#include <arpa/inet.h>

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
  Address out = address;
  const unsigned width = address.family == 4 ? 32 : 128;
  if (bits > width) bits = width;
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned first_bit = i * 8;
    if (first_bit >= bits) {
      out.bytes[i] = 0;
    } else if (bits - first_bit < 8) {
      out.bytes[i] = static_cast<std::uint8_t>(out.bytes[i] & (0xff00u >> (bits - first_bit)));
    }
  }
  return out;
}

}  // namespace gslbd::util
