// Collects records of one zone, checks the rules that concern the data itself, and builds the
// immutable Zone (empty non-terminals, delegation links, additional-section targets, index).
// Control-plane only: allocates freely. Errors are returned as plain reasons; the caller adds
// the file position.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/zone/zone.hpp"

namespace gslbd::zone {

class ZoneBuilder {
 public:
  explicit ZoneBuilder(std::string_view apex_wire);

  const std::string& apex() const noexcept { return apex_; }

  // Adds one record. owner is a wire name (any case). Returns "" or the reason it was refused:
  // outside the zone, duplicate record, TTL differing from its RRset, CNAME beside other data,
  // a second CNAME, SOA (use set_soa), NS at the apex (use add_apex_ns), meta types, data on a
  // service name.
  std::string add_record(std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                         std::span<const std::uint8_t> rdata);

  // The apex SOA (exactly once) and the apex NS set come through these.
  std::string set_soa(std::uint32_t ttl, std::span<const std::uint8_t> rdata);
  std::string add_apex_ns(std::uint32_t ttl, std::span<const std::uint8_t> rdata);
  bool has_soa() const noexcept { return has_soa_; }

  // A dynamic name; refused if the name carries records or is already a service.
  std::string add_service(std::string_view owner, std::string pool, std::uint32_t ttl);
  // The same with every field of the service given (service.name is its owner, any case).
  std::string add_service(Service service);

  // Checks whole-zone rules (SOA and apex NS present; below a delegation only glue) and builds.
  // Returns nullptr and appends reasons to errors when the zone is not valid.
  std::unique_ptr<Zone> build(std::vector<std::string>& errors);

 private:
  // The mutable form of an RRset and a Node while records are added.
  struct DraftRRset {
    std::uint16_t type = 0;
    std::uint16_t count = 0;
    std::uint32_t ttl = 0;
    std::vector<std::uint8_t> records;  // as RRset::records()
    std::vector<std::uint32_t> additional_nodes;
  };
  struct DraftNode {
    std::string name;
    std::vector<DraftRRset> rrsets;  // sorted by type
    std::uint32_t cut = kNoNode;
    std::int32_t service = -1;
    const DraftRRset* find(std::uint16_t type) const noexcept;
  };
  // Open addressing from name to node number: the builder looks names up several times per
  // record (ancestors, delegations, targets), so for large zones this table sets the load time.
  class DraftIndex {
   public:
    std::uint32_t find(std::string_view name, const std::vector<DraftNode>& nodes) const noexcept;
    void insert(std::string_view name, std::uint32_t number);

   private:
    void grow();
    // (32 bits of the name's hash << 32) | (number + 1); 0 = empty. Size is a power of two.
    std::vector<std::uint64_t> slots_;
    std::size_t used_ = 0;
  };

  DraftNode& node_for(std::string_view lower_name);
  DraftNode* existing(std::string_view lower_name);
  std::uint32_t number_of(std::string_view lower_name) const noexcept;
  std::string add_to_node(DraftNode& node, std::uint16_t type, std::uint32_t ttl,
                          std::span<const std::uint8_t> rdata);
  void link_delegations();
  void link_additional_targets();
  std::unique_ptr<Zone> flatten();

  std::string apex_;
  std::vector<DraftNode> nodes_;  // nodes_[0] is the apex
  DraftIndex index_;
  std::vector<Service> services_;
  bool has_soa_ = false;
};

}  // namespace gslbd::zone
