// SPDX-License-Identifier: Apache-2.0
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

class ZoneDraft;

// Where a record came from, as a number only its caller can read (for example a file and line);
// handed back with the build errors that concern that record.
inline constexpr std::uint32_t kNoSource = 0xffffffffu;

struct BuildError {
  std::string reason;
  std::uint32_t source = kNoSource;  // the offending record's, or kNoSource for the whole zone
};

class ZoneBuilder {
 public:
  explicit ZoneBuilder(std::string_view apex_wire);
  ~ZoneBuilder();
  ZoneBuilder(ZoneBuilder&&) noexcept;
  ZoneBuilder& operator=(ZoneBuilder&&) noexcept;

  const std::string& apex() const noexcept { return apex_; }

  // Adds one record. owner is a wire name (any case). Returns "" or the reason it was refused:
  // outside the zone, duplicate record, TTL differing from its RRset, CNAME beside other data,
  // a second CNAME or DNAME, SOA (use set_soa), NS at the apex (use add_apex_ns), meta types,
  // data on a service name. source comes back with build errors about this record's RRset.
  std::string add_record(std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                         std::span<const std::uint8_t> rdata, std::uint32_t source = kNoSource);

  // The apex SOA (exactly once) and the apex NS set come through these.
  std::string set_soa(std::uint32_t ttl, std::span<const std::uint8_t> rdata);
  std::string add_apex_ns(std::uint32_t ttl, std::span<const std::uint8_t> rdata);
  bool has_soa() const noexcept { return has_soa_; }

  // A dynamic name; refused if the name carries records or is already a service.
  std::string add_service(std::string_view owner, std::string pool, std::uint32_t ttl);
  // The same with every field of the service given (service.name is its owner, any case).
  std::string add_service(Service service, std::uint32_t source = kNoSource);

  // Checks whole-zone rules (SOA and apex NS present; below a delegation only glue; nothing
  // below a DNAME; every RRset fits a DNS message in the smallest answer that holds it) and
  // builds. Returns nullptr and appends reasons to errors when the zone is not valid.
  std::unique_ptr<Zone> build(std::vector<BuildError>& errors);
  // The same, without the sources.
  std::unique_ptr<Zone> build(std::vector<std::string>& errors);

 private:
  std::string add_to_node(std::uint32_t node, std::uint16_t type, std::uint32_t ttl,
                          std::span<const std::uint8_t> rdata, std::uint32_t source = kNoSource);
  void check_below_dnames(std::vector<BuildError>& errors) const;
  void add_empty_non_terminals();
  void link_delegations();
  void link_additional_targets();
  std::unique_ptr<Zone> flatten();

  std::string apex_;
  std::unique_ptr<ZoneDraft> draft_;  // node 0 is the apex
  std::vector<Service> services_;
  std::vector<std::uint32_t> service_sources_;  // beside services_
  bool has_soa_ = false;
};

}  // namespace gslbd::zone
