// SPDX-License-Identifier: Apache-2.0
#include "gslbd/dns/query.hpp"

#include <cstring>

#include "gslbd/dns/cookie.hpp"
#include "gslbd/dns/name.hpp"

namespace gslbd::dns {
namespace {

std::uint16_t read_u16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// RFC 7871 section 6: family, source prefix, scope prefix (0 in queries), then only as many
// address octets as the source prefix needs, with no bits set past it.
bool read_client_subnet(const std::uint8_t* data, std::size_t len, ClientSubnet& out) noexcept {
  if (len < 4) return false;
  const std::uint16_t family = read_u16(data);
  const std::uint8_t source = data[2];
  const std::uint8_t scope = data[3];
  const unsigned width = family == 1 ? 32 : family == 2 ? 128 : 0;
  if (width == 0 || source > width || scope != 0) return false;
  const std::size_t octets = (source + 7u) / 8u;
  if (len - 4 != octets) return false;
  if (octets > 0 && source % 8 != 0) {
    const auto spare = static_cast<std::uint8_t>(0xffu >> (source % 8));
    if (data[4 + octets - 1] & spare) return false;
  }
  out = ClientSubnet{};
  out.family = family;
  out.source_prefix = source;
  std::memcpy(out.address, data + 4, octets);
  return true;
}

// Reads the OPT pseudo-RR's fields and options (RFC 6891 section 6.1.2).
bool read_opt(const std::uint8_t* rr, const std::uint8_t* rdata, std::size_t rdlen,
              Query& query) noexcept {
  query.has_edns = true;
  query.edns_udp_size = read_u16(rr + 2);
  query.edns_version = rr[5];
  query.edns_do = (rr[6] & 0x80) != 0;
  query.edns_co = (rr[6] & 0x40) != 0;
  std::size_t pos = 0;
  while (pos < rdlen) {
    if (rdlen - pos < 4) return false;
    const std::uint16_t code = read_u16(rdata + pos);
    const std::uint16_t optlen = read_u16(rdata + pos + 2);
    pos += 4;
    if (rdlen - pos < optlen) return false;
    if (code == edns_option::NSID) query.wants_nsid = true;
    if (code == edns_option::CLIENT_SUBNET && !query.has_client_subnet) {
      if (!read_client_subnet(rdata + pos, optlen, query.client_subnet)) return false;
      query.has_client_subnet = true;
    }
    if (code == edns_option::COOKIE && query.cookie_len == 0) {
      if (optlen != kMinCookieOption &&
          (optlen < kMinServerCookieOption || optlen > kMaxCookieOption)) {
        return false;
      }
      std::memcpy(query.cookie, rdata + pos, optlen);
      query.cookie_len = static_cast<std::uint8_t>(optlen);
    }
    pos += optlen;
  }
  return true;
}

}  // namespace

ParseStatus parse_query(const std::uint8_t* msg, std::size_t len, Query& query) noexcept {
  if (len < kHeaderSize) return ParseStatus::drop;
  query.id = read_u16(msg);
  query.flags = read_u16(msg + 2);
  if (query.flags & flag::QR) return ParseStatus::drop;
  query.opcode = static_cast<std::uint8_t>((query.flags >> 11) & 0xf);
  query.qname_len = 0;
  query.has_edns = false;
  query.wants_nsid = false;
  query.edns_do = false;
  query.edns_co = false;
  query.edns_version = 0;
  query.edns_udp_size = 0;
  query.has_client_subnet = false;
  query.cookie_len = 0;

  const std::uint16_t qdcount = read_u16(msg + 4);
  const std::uint16_t ancount = read_u16(msg + 6);
  const std::uint16_t nscount = read_u16(msg + 8);
  const std::uint16_t arcount = read_u16(msg + 10);

  std::size_t pos = kHeaderSize;
  bool question_ok = false;
  if (qdcount >= 1) {
    const std::size_t name_at = pos;
    const std::size_t name_len = read_plain_name(msg, len, pos);
    if (name_len != 0 && len - pos >= 4) {
      std::memcpy(query.qname, msg + name_at, name_len);
      std::memcpy(query.qname_lower, msg + name_at, name_len);
      lowercase_name(query.qname_lower, name_len);
      query.qname_len = static_cast<std::uint8_t>(name_len);
      query.qtype = read_u16(msg + pos);
      query.qclass = read_u16(msg + pos + 2);
      pos += 4;
      question_ok = true;
    }
  }
  if (qdcount != 1) query.qname_len = 0;  // echo a question only when there is exactly one
  if (query.opcode != 0) return ParseStatus::notimp;
  // With no question, only a request for a server cookie is well-formed (RFC 7873 5.4).
  if (qdcount > 1 || (qdcount == 1 && !question_ok)) return ParseStatus::formerr;

  // Answer and authority records are not expected in a query; skip them to reach OPT.
  const std::size_t records = std::size_t{ancount} + nscount + arcount;
  for (std::size_t i = 0; i < records; ++i) {
    const bool additional = i >= std::size_t{ancount} + nscount;
    const std::size_t owner_at = pos;
    if (!skip_name(msg, len, pos) || len - pos < 10) return ParseStatus::formerr;
    const std::uint8_t* rr = msg + pos;
    const std::uint16_t rdlen = read_u16(rr + 8);
    if (len - pos - 10 < rdlen) return ParseStatus::formerr;
    if (additional && read_u16(rr) == type::OPT) {
      // One OPT at most, owned by the root (RFC 6891 section 6.1.1).
      if (query.has_edns || pos - owner_at != 1 || msg[owner_at] != 0) return ParseStatus::formerr;
      if (!read_opt(rr, rr + 10, rdlen, query)) return ParseStatus::formerr;
    }
    pos += 10u + rdlen;
  }
  if (qdcount == 0) return query.cookie_len != 0 ? ParseStatus::cookie_only : ParseStatus::formerr;
  return ParseStatus::ok;
}

}  // namespace gslbd::dns
