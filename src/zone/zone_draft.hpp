// SPDX-License-Identifier: Apache-2.0
// The mutable storage of a zone while ZoneBuilder collects its records: nodes, RRsets and
// records in a few growing arrays linked by number, names and rdata in byte arenas, and an
// open-addressing name index. A million-record zone costs no allocation per record, which is
// most of what made large zones slow to load. Private to the zone module; not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/zone/rrset.hpp"
#include "gslbd/zone/zone_builder.hpp"

namespace gslbd::zone {

class ZoneDraft {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  struct DraftNode {
    std::uint32_t name_offset = 0;  // into the name arena
    std::uint32_t name_length = 0;
    std::uint32_t first_rrset = kNone;  // RRsets of the node in type order
    std::uint32_t cut = kNoNode;
    std::int32_t service = -1;
  };
  struct DraftRRset {
    std::uint16_t type = 0;
    std::uint16_t count = 0;
    std::uint32_t ttl = 0;
    std::uint32_t next = kNone;  // the node's next RRset (larger type)
    std::uint32_t first_record = kNone;
    std::uint32_t last_record = kNone;
    std::uint32_t rdata_octets = 0;      // sum of 2 + rdlength over the records
    std::uint32_t additional_begin = 0;  // into additional()
    std::uint32_t additional_count = 0;
    std::uint32_t source = kNoSource;  // the first record's, as given to ZoneBuilder
  };
  struct DraftRecord {
    std::uint32_t next = kNone;
    std::uint32_t offset = 0;  // into the rdata arena
    std::uint32_t length = 0;
  };

  // The node named lower_wire (lowercase wire form), or kNoNode.
  std::uint32_t find(std::string_view lower_wire) const noexcept;
  // The node named lower_wire, added (without RRsets) if it is new.
  std::uint32_t node_for(std::string_view lower_wire);

  std::size_t node_count() const noexcept { return nodes_.size(); }
  DraftNode& node(std::uint32_t n) noexcept { return nodes_[n]; }
  const DraftNode& node(std::uint32_t n) const noexcept { return nodes_[n]; }
  // Valid until the next node is added.
  std::string_view name(std::uint32_t n) const noexcept {
    return {names_.data() + nodes_[n].name_offset, nodes_[n].name_length};
  }

  const DraftRRset& rrset(std::uint32_t r) const noexcept { return rrsets_[r]; }
  DraftRRset& rrset(std::uint32_t r) noexcept { return rrsets_[r]; }
  // The node's RRset of this type, or kNone.
  std::uint32_t find_rrset(std::uint32_t n, std::uint16_t type) const noexcept;
  // Inserts an empty RRset of this type (absent so far) in the node's type order.
  std::uint32_t add_rrset(std::uint32_t n, std::uint16_t type, std::uint32_t ttl);

  const DraftRecord& record(std::uint32_t r) const noexcept { return records_[r]; }
  std::span<const std::uint8_t> rdata(const DraftRecord& record) const noexcept {
    return {rdata_.data() + record.offset, record.length};
  }
  bool has_record(std::uint32_t r, std::span<const std::uint8_t> rdata) const noexcept;
  void add_record(std::uint32_t r, std::span<const std::uint8_t> rdata);

  std::vector<std::uint32_t>& additional() noexcept { return additional_; }
  const std::vector<std::uint32_t>& additional() const noexcept { return additional_; }

  std::size_t name_octets() const noexcept { return names_.size() + nodes_.size(); }
  std::size_t rrset_count() const noexcept { return rrsets_.size(); }

 private:
  void insert_index(std::uint32_t tag, std::uint32_t number);
  void grow_index();

  std::vector<DraftNode> nodes_;
  std::vector<DraftRRset> rrsets_;
  std::vector<DraftRecord> records_;
  std::vector<char> names_;
  std::vector<std::uint8_t> rdata_;
  std::vector<std::uint32_t> additional_;
  // (32 bits of the name's hash << 32) | (node + 1); 0 = empty. Size is a power of two, at
  // most half full.
  std::vector<std::uint64_t> index_;
};

}  // namespace gslbd::zone
