// SPDX-License-Identifier: Apache-2.0
// DNS cookies (RFC 7873) with the interoperable server cookie of RFC 9018: version 1, three
// reserved octets, a 32-bit timestamp and a SipHash-2-4 over client cookie | version |
// reserved | timestamp | client address, keyed with a 16-octet server secret. Any server of
// an anycast set that shares the secret accepts the cookies of the others. noexcept, no
// allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace gslbd::dns {

inline constexpr std::size_t kClientCookieSize = 8;
inline constexpr std::size_t kServerCookieSize = 16;  // what RFC 9018 version 1 makes
inline constexpr std::size_t kMinCookieOption = 8;    // a client cookie alone
inline constexpr std::size_t kMinServerCookieOption = 16;
inline constexpr std::size_t kMaxCookieOption = 40;  // client cookie + 32-octet server cookie

// RFC 9018 section 4.3: a server cookie is good for an hour, may come from a server whose
// clock is up to five minutes ahead, and is replaced once it is older than half an hour.
inline constexpr std::int32_t kCookieLifetime = 3600;
inline constexpr std::int32_t kCookieClockSkew = 300;
inline constexpr std::int32_t kCookieRenewAge = 1800;

using CookieSecret = std::array<std::uint8_t, 16>;

// Writes the 16-octet server cookie for client_cookie (8 octets) from the client address
// (4 or 16 octets) into out. reserved is usually zero (RFC 9018 section 4.2).
void make_server_cookie(const CookieSecret& secret, const std::uint8_t* client_cookie,
                        const std::uint8_t* client_address, std::size_t address_len,
                        std::uint32_t timestamp, std::uint8_t* out,
                        const std::uint8_t* reserved = nullptr) noexcept;

enum class ServerCookieCheck : std::uint8_t {
  valid,
  forged,   // not ours: wrong length, version or hash
  expired,  // ours, but older than the lifetime or too far in the future
};

// Checks a server cookie (server_len octets, as received) that came with client_cookie from
// client_address at now (unix seconds; compared in serial arithmetic, RFC 1982). The hash is
// compared in constant time.
ServerCookieCheck check_server_cookie(const CookieSecret& secret, const std::uint8_t* client_cookie,
                                      const std::uint8_t* server_cookie, std::size_t server_len,
                                      const std::uint8_t* client_address, std::size_t address_len,
                                      std::uint32_t now) noexcept;

// The timestamp of a server cookie of ours (valid length assumed).
std::uint32_t server_cookie_time(const std::uint8_t* server_cookie) noexcept;

}  // namespace gslbd::dns
