// SPDX-License-Identifier: Apache-2.0
// An immutable, built zone: owner nodes in a hash index, the SOA and the negative TTL.
// Shared read-only by all workers; built once by ZoneBuilder. Nodes and RRsets are views into
// the zone's flat arrays (names, rdata, RRsets), a few allocations per zone instead of several
// per name: a 1,000,000-name zone fits in about 100 MB.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/response_writer.hpp"
#include "gslbd/zone/location.hpp"
#include "gslbd/zone/name_index.hpp"
#include "gslbd/zone/node.hpp"

namespace gslbd::dnssec {
class ZoneKeys;
}

namespace gslbd::zone {

class ZoneBuilder;

// The RRSIG records of one RRset, in stored form (rdlength, rdata), made when the zone was
// signed; empty for unsigned zones and for what is never signed (delegation NS, glue).
struct Signatures {
  std::span<const std::uint8_t> records;
  std::uint16_t count = 0;
};

class Zone {
 public:
  Zone() = default;
  Zone(const Zone&) = delete;  // nodes point into this zone's own arrays
  Zone& operator=(const Zone&) = delete;

  std::string_view apex() const noexcept { return nodes_[0].name(); }
  const Node& apex_node() const noexcept { return nodes_[0]; }
  const Node& node(std::uint32_t index) const noexcept { return nodes_[index]; }
  std::uint32_t node_count() const noexcept { return static_cast<std::uint32_t>(nodes_.size()); }
  const std::vector<Service>& services() const noexcept { return services_; }

  // Exact match of a lowercase wire name; kNoNode when absent. No allocation.
  std::uint32_t find(std::string_view lower_wire) const noexcept {
    return index_.find(lower_wire,
                       [this](std::uint32_t i) -> std::string_view { return nodes_[i].name(); });
  }

  // Where lower_wire, a lowercase wire name at or below the apex, lives for a question of type
  // qtype (the type matters only for DS at a delegation point, which the parent side answers).
  // Exact names first, then the closest encloser: a cut or a DNAME there wins, else the
  // wildcard below it (RFC 4592), else the name does not exist. No allocation.
  Location locate(std::string_view lower_wire, std::uint16_t qtype) const noexcept;

  const RRset& soa() const noexcept { return *nodes_[0].find(dns::type::SOA); }
  std::uint32_t serial() const noexcept { return serial_; }
  // Position in the ZoneSet that holds this zone (for per-zone counters).
  std::uint32_t position() const noexcept { return position_; }
  // RFC 2308 section 5: min(SOA TTL, SOA MINIMUM).
  std::uint32_t negative_ttl() const noexcept { return negative_ttl_; }
  // The SOA as a negative answer carries it (negative_ttl()), compressed when the zone was
  // built: every NXDOMAIN and NODATA answer writes it.
  const dns::PreparedRRset& negative_soa() const noexcept { return negative_soa_; }

  // The keys of a signed zone (what the query path signs per-query data with), or nullptr.
  const dnssec::ZoneKeys* keys() const noexcept { return keys_.get(); }
  const std::shared_ptr<const dnssec::ZoneKeys>& shared_keys() const noexcept { return keys_; }
  // The signatures made at load for set, an RRset of this zone.
  Signatures signatures(const RRset& set) const noexcept {
    if (signature_refs_.empty()) return {};
    const SignatureRef& ref = signature_refs_[static_cast<std::size_t>(&set - rrsets_.data())];
    return {{signature_arena_.data() + ref.offset, ref.size}, ref.count};
  }

 private:
  friend class ZoneBuilder;
  friend class ZoneSet;
  friend std::string sign_zone(Zone& zone, std::shared_ptr<const dnssec::ZoneKeys> keys,
                               std::uint32_t now);
  struct SignatureRef {
    std::uint32_t offset = 0;
    std::uint16_t size = 0;
    std::uint16_t count = 0;
  };
  std::vector<Node> nodes_;  // nodes_[0] is the apex
  std::vector<RRset> rrsets_;
  std::vector<std::uint8_t> names_;  // each name: length octet, then the wire name
  std::vector<std::uint8_t> rdata_;
  std::vector<std::uint32_t> additional_;
  NameIndex index_;
  std::vector<Service> services_;
  std::uint32_t serial_ = 0;
  std::uint32_t negative_ttl_ = 0;
  dns::PreparedRRset negative_soa_;
  std::uint32_t position_ = 0;
  std::shared_ptr<const dnssec::ZoneKeys> keys_;
  std::vector<SignatureRef> signature_refs_;  // beside rrsets_, when signed
  std::vector<std::uint8_t> signature_arena_;
};

}  // namespace gslbd::zone
