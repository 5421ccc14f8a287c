// SPDX-License-Identifier: Apache-2.0
// One RRset as stored for answering: type, TTL and the records' rdata in uncompressed wire form.
// A view into its Zone's arenas (a built Zone never changes, so the view lives as long as it).
#pragma once

#include <cstdint>
#include <span>

namespace gslbd::zone {

inline constexpr std::uint32_t kNoNode = 0xffffffffu;

class RRset {
 public:
  std::uint16_t type = 0;
  std::uint16_t count = 0;  // number of records
  std::uint32_t ttl = 0;

  // For each record: rdlength (2 octets, big endian) then rdata. Names inside rdata are stored
  // uncompressed; the response writer compresses those of the RFC 1035 types that allow it.
  std::span<const std::uint8_t> records() const noexcept { return {records_, records_size_}; }
  // Nodes of this zone whose A/AAAA belong in the additional section when this RRset is sent
  // (targets of NS, MX and SRV). Resolved once when the zone is built.
  std::span<const std::uint32_t> additional_nodes() const noexcept {
    return {additional_, additional_count_};
  }

 private:
  friend class ZoneBuilder;
  // 32 octets in all: a million-name zone's RRsets take 32 MB.
  const std::uint8_t* records_ = nullptr;
  std::uint32_t records_size_ = 0;
  std::uint32_t additional_count_ = 0;
  const std::uint32_t* additional_ = nullptr;
};

}  // namespace gslbd::zone
