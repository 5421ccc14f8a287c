// One RRset as stored for answering: type, TTL and the records' rdata in uncompressed wire form.
#pragma once

#include <cstdint>
#include <vector>

namespace gslbd::zone {

inline constexpr std::uint32_t kNoNode = 0xffffffffu;

struct RRset {
  std::uint16_t type = 0;
  std::uint16_t count = 0;  // number of records
  std::uint32_t ttl = 0;
  // For each record: rdlength (2 octets, big endian) then rdata. Names inside rdata are
  // uncompressed (RFC 3597 forbids compressing them for most types; we never do).
  std::vector<std::uint8_t> records;
  // Nodes of this zone whose A/AAAA belong in the additional section when this RRset is sent
  // (targets of NS, MX and SRV). Resolved once when the zone is built.
  std::vector<std::uint32_t> additional_nodes;
};

}  // namespace gslbd::zone
