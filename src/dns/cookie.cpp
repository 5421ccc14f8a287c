// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dns/cookie.hpp"

#include <cstring>

#include "gslbd/dns/siphash.hpp"

namespace gslbd::dns {
namespace {

constexpr std::uint8_t kVersion = 1;

// The hash input: client cookie, then the cookie's first eight octets (version, reserved,
// timestamp), then the client address.
std::uint64_t cookie_hash(const CookieSecret& secret, const std::uint8_t* client_cookie,
                          const std::uint8_t* head, const std::uint8_t* client_address,
                          std::size_t address_len) noexcept {
  std::uint8_t input[kClientCookieSize + 8 + 16];
  const std::size_t len = address_len > 16 ? 16 : address_len;
  std::memcpy(input, client_cookie, kClientCookieSize);
  std::memcpy(input + kClientCookieSize, head, 8);
  std::memcpy(input + kClientCookieSize + 8, client_address, len);
  return siphash24(secret.data(), input, kClientCookieSize + 8 + len);
}

void put_le64(std::uint8_t* p, std::uint64_t v) noexcept {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

}  // namespace

void make_server_cookie(const CookieSecret& secret, const std::uint8_t* client_cookie,
                        const std::uint8_t* client_address, std::size_t address_len,
                        std::uint32_t timestamp, std::uint8_t* out,
                        const std::uint8_t* reserved) noexcept {
  out[0] = kVersion;
  if (reserved) {
    std::memcpy(out + 1, reserved, 3);
  } else {
    std::memset(out + 1, 0, 3);
  }
  out[4] = static_cast<std::uint8_t>(timestamp >> 24);
  out[5] = static_cast<std::uint8_t>(timestamp >> 16);
  out[6] = static_cast<std::uint8_t>(timestamp >> 8);
  out[7] = static_cast<std::uint8_t>(timestamp);
  put_le64(out + 8, cookie_hash(secret, client_cookie, out, client_address, address_len));
}

std::uint32_t server_cookie_time(const std::uint8_t* server_cookie) noexcept {
  return (std::uint32_t{server_cookie[4]} << 24) | (std::uint32_t{server_cookie[5]} << 16) |
         (std::uint32_t{server_cookie[6]} << 8) | std::uint32_t{server_cookie[7]};
}

ServerCookieCheck check_server_cookie(const CookieSecret& secret, const std::uint8_t* client_cookie,
                                      const std::uint8_t* server_cookie, std::size_t server_len,
                                      const std::uint8_t* client_address, std::size_t address_len,
                                      std::uint32_t now) noexcept {
  if (server_len != kServerCookieSize || server_cookie[0] != kVersion) {
    return ServerCookieCheck::forged;
  }
  std::uint8_t expected[8];
  put_le64(expected,
           cookie_hash(secret, client_cookie, server_cookie, client_address, address_len));
  std::uint8_t difference = 0;
  for (int i = 0; i < 8; ++i)
    difference |= static_cast<std::uint8_t>(expected[i] ^ server_cookie[8 + i]);
  if (difference != 0) return ServerCookieCheck::forged;
  const auto age = static_cast<std::int32_t>(now - server_cookie_time(server_cookie));
  if (age > kCookieLifetime || age < -kCookieClockSkew) return ServerCookieCheck::expired;
  return ServerCookieCheck::valid;
}

}  // namespace gslbd::dns
