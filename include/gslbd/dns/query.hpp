// SPDX-License-Identifier: Apache-2.0
// The parsed form of one incoming DNS query, filled in place without allocation.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gslbd/dns/constants.hpp"

namespace gslbd::dns {

// An EDNS Client Subnet option (RFC 7871) as the client sent it; echoed with our scope.
struct ClientSubnet {
  std::uint16_t family = 0;  // 1 = IPv4, 2 = IPv6
  std::uint8_t source_prefix = 0;
  std::uint8_t address[16] = {};  // bits past source_prefix are zero
};

struct Query {
  std::uint16_t id = 0;
  std::uint16_t flags = 0;  // the request's header flags word, as received
  std::uint8_t opcode = 0;
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  std::uint8_t qname_len = 0;        // 0 when the question could not be read
  std::uint8_t qname[kMaxNameWire];  // as received, for echoing the client's case
  char qname_lower[kMaxNameWire];    // lower-cased copy for lookups

  bool has_edns = false;
  std::uint8_t edns_version = 0;
  std::uint16_t edns_udp_size = 0;  // as advertised by the client
  bool edns_do = false;
  bool edns_co = false;  // Compact Answers OK (RFC 9824 section 4): NXDOMAIN may be restored
  bool wants_nsid = false;
  // Set for a well-formed ECS option; a malformed one makes the request FORMERR (RFC 7871
  // section 7.1.2).
  bool has_client_subnet = false;
  ClientSubnet client_subnet;
  // The COOKIE option (RFC 7873) as received: a client cookie (8 octets) and, from a client
  // that learned one, a server cookie (8 to 32 more). 0 = no option. Any other length is
  // FORMERR (RFC 7873 section 5.2.2). Only the first COOKIE option counts.
  std::uint8_t cookie_len = 0;
  std::uint8_t cookie[40];
};

enum class ParseStatus : std::uint8_t {
  ok,
  drop,     // no answer at all: too short for a header, or QR set (RFC 1035 4.1.1)
  formerr,  // answer FORMERR: QDCOUNT != 1, a malformed question or OPT
  notimp,   // answer NOTIMP: an opcode other than QUERY
  // QDCOUNT 0 with a COOKIE option: a client asking only for a server cookie (RFC 7873
  // section 5.4). Servers without cookies answer it FORMERR.
  cookie_only,
};

// Parses a request. Never reads outside [msg, msg+len); no allocation; total on any input.
// On formerr/notimp the id, flags and, if readable, the question are still filled in.
ParseStatus parse_query(const std::uint8_t* msg, std::size_t len, Query& query) noexcept;

}  // namespace gslbd::dns
