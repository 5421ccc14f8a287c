// SPDX-License-Identifier: Apache-2.0
// IPv4/IPv6 addresses and client networks as the pool, geo and query code use them (no sockaddr).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gslbd::util {

struct Address {
  std::uint8_t family = 0;               // 4 or 6; 0 = none
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4 octets

  bool operator==(const Address&) const = default;
  std::size_t length() const noexcept { return family == 4 ? 4 : 16; }
};

// The client a policy answers for: the ECS subnet when the resolver sent one, else the
// source address (prefix 32 or 128).
struct Client {
  Address address;
  std::uint8_t prefix = 0;  // significant leading bits of address
  bool from_ecs = false;
};

std::optional<Address> parse_address(std::string_view text);
std::string address_text(const Address& address);

// Zeroes every bit after the first `bits` (bits is capped at the family's width).
Address masked(const Address& address, unsigned bits) noexcept;

}  // namespace gslbd::util
