// SPDX-License-Identifier: Apache-2.0
// The stub resolver's wire side: the query it sends for a member's host name, and the checks
// a reply must pass before its addresses are believed (RFC 5452 section 9.1: the ID, the
// question, and records owned by the name asked or by the CNAMEs the answer leads to).
// Names are read and compared with the dns module's functions, and nothing else beyond the
// standard library is used (the fuzz target compiles this file alone, with the dns library);
// any thread; noexcept; no allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace gslbd::probe {

inline constexpr std::uint16_t kTypeA = 1;
inline constexpr std::uint16_t kTypeAAAA = 28;
// A query: header, the name, type and class, and an OPT record offering this UDP payload size
// (RFC 6891), so that a name with many addresses fits without TCP.
inline constexpr std::uint16_t kResolverUdpSize = 1232;
inline constexpr std::size_t kMaxResolverQuery = 12 + 255 + 4 + 11;
// Addresses taken from one reply: the lowest, so that the same set comes back whatever order
// the resolver rotates the records into; the others are counted only. The health loop probes
// every address taken, so this bounds its probes per member and family.
inline constexpr std::size_t kMaxReplyAddresses = 8;
// CNAMEs followed inside one reply.
inline constexpr int kMaxReplyCnames = 8;

// Writes a recursive query (RD=1) for name_wire (an uncompressed wire name) and type into out.
// Returns its length, or 0 when the name is malformed or out too small.
std::size_t build_resolver_query(std::string_view name_wire, std::uint16_t type, std::uint16_t id,
                                 std::span<std::uint8_t> out) noexcept;

enum class ReplyStatus : std::uint8_t {
  addresses,  // NOERROR with at least one address of the type asked
  nodata,     // NOERROR without one (the name exists, or the CNAME chain leaves the reply)
  nxdomain,   // RCODE 3
  failed,     // another RCODE (SERVFAIL, REFUSED...): rcode says which
  truncated,  // TC set: the answer did not fit (ask again over TCP)
  not_ours,   // not a reply to this query (ID, QR, opcode or question differ): ignore it
  malformed,  // claims to be the reply, but cannot be read: ignore it too
};

struct Reply {
  ReplyStatus status = ReplyStatus::malformed;
  std::uint8_t rcode = 0;
  // The smallest TTL of the records used (CNAMEs and addresses); 0 without any.
  std::uint32_t ttl = 0;
  // The lowest distinct addresses of the type asked, ascending (by their octets), each 4 (A)
  // or 16 (AAAA) octets; records counts every address record read, taken or not.
  std::uint8_t count = 0;
  std::uint16_t records = 0;
  std::array<std::array<std::uint8_t, 16>, kMaxReplyAddresses> address{};
};

// Reads message as the reply to the query build_resolver_query made for (id, name_wire, type),
// over UDP or (without its 2-octet length) over TCP. A TC bit is reported whatever the
// transport: over TCP it makes a reply that cannot be used.
Reply parse_resolver_reply(std::span<const std::uint8_t> message, std::uint16_t id,
                           std::string_view name_wire, std::uint16_t type) noexcept;

const char* reply_status_text(ReplyStatus status) noexcept;

}  // namespace gslbd::probe
