// SPDX-License-Identifier: Apache-2.0
// DNS numbers used across gslbd: RR types, classes, opcodes, rcodes and header flag bits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gslbd::dns {

namespace type {
inline constexpr std::uint16_t A = 1;
inline constexpr std::uint16_t NS = 2;
inline constexpr std::uint16_t CNAME = 5;
inline constexpr std::uint16_t SOA = 6;
inline constexpr std::uint16_t PTR = 12;
inline constexpr std::uint16_t HINFO = 13;
inline constexpr std::uint16_t MX = 15;
inline constexpr std::uint16_t TXT = 16;
inline constexpr std::uint16_t AAAA = 28;
inline constexpr std::uint16_t SRV = 33;
inline constexpr std::uint16_t DNAME = 39;
inline constexpr std::uint16_t OPT = 41;
inline constexpr std::uint16_t DS = 43;
inline constexpr std::uint16_t TKEY = 249;
inline constexpr std::uint16_t TSIG = 250;
inline constexpr std::uint16_t IXFR = 251;
inline constexpr std::uint16_t AXFR = 252;
inline constexpr std::uint16_t MAILB = 253;
inline constexpr std::uint16_t MAILA = 254;
inline constexpr std::uint16_t ANY = 255;
}  // namespace type

namespace klass {
inline constexpr std::uint16_t IN = 1;
inline constexpr std::uint16_t CH = 3;
inline constexpr std::uint16_t ANY = 255;
}  // namespace klass

enum class Opcode : std::uint8_t { query = 0 };

namespace rcode {
inline constexpr std::uint16_t NOERROR = 0;
inline constexpr std::uint16_t FORMERR = 1;
inline constexpr std::uint16_t SERVFAIL = 2;
inline constexpr std::uint16_t NXDOMAIN = 3;
inline constexpr std::uint16_t NOTIMP = 4;
inline constexpr std::uint16_t REFUSED = 5;
inline constexpr std::uint16_t YXDOMAIN = 6;  // RFC 6672 section 2.2: a DNAME substitution too long
inline constexpr std::uint16_t BADVERS = 16;  // extended: needs OPT
inline constexpr std::uint16_t BADCOOKIE = 23;  // extended: needs OPT (RFC 7873)
}  // namespace rcode

namespace flag {  // bits of the 16-bit header flags word
inline constexpr std::uint16_t QR = 0x8000;
inline constexpr std::uint16_t AA = 0x0400;
inline constexpr std::uint16_t TC = 0x0200;
inline constexpr std::uint16_t RD = 0x0100;
inline constexpr std::uint16_t RA = 0x0080;
inline constexpr std::uint16_t AD = 0x0020;
inline constexpr std::uint16_t CD = 0x0010;
}  // namespace flag

namespace edns_option {
inline constexpr std::uint16_t NSID = 3;
inline constexpr std::uint16_t CLIENT_SUBNET = 8;
inline constexpr std::uint16_t COOKIE = 10;
}  // namespace edns_option

inline constexpr std::size_t kHeaderSize = 12;
inline constexpr std::size_t kMaxNameWire = 255;
inline constexpr std::size_t kMaxLabel = 63;
inline constexpr std::uint16_t kPlainUdpSize = 512;
inline constexpr std::size_t kMaxMessage = 65535;

}  // namespace gslbd::dns
