// SPDX-License-Identifier: Apache-2.0
// Writes the answer from one zone into the response, hop by hop along the zone's chain of
// names (zone::Chain: exact names, wildcards, CNAMEs, DNAMEs with their synthesised CNAMEs):
// referrals with all in-domain glue or TC (RFC 9471), RFC 2308 negative answers with the SOA,
// YXDOMAIN for a DNAME substitution too long; service names are handed to their pool's policy.
// Worker thread; no allocation.
#pragma once

#include <cstdint>

#include "gslbd/dns/query.hpp"
#include "gslbd/dns/response_writer.hpp"
#include "gslbd/zone/chain.hpp"
#include "gslbd/zone/zone.hpp"
#include "service_answer.hpp"

namespace gslbd::query {

class ZoneLookup {
 public:
  ZoneLookup(const zone::Zone& zone, const dns::Query& query, const ServiceEnv& services,
             dns::ResponseWriter& writer) noexcept
      : zone_(zone), query_(query), services_(services), writer_(writer) {}

  // Writes answer, authority and additional sections, and sets AA, TC and the rcode.
  void run() noexcept;

  // After run(), what the response was, as rate limiting classes it (an NXDOMAIN rcode is
  // read from the message): a referral names its delegation point; an empty answer (NODATA)
  // is about the zone.
  bool referral() const noexcept { return !referral_name_.empty(); }
  std::string_view referral_name() const noexcept { return referral_name_; }
  bool nodata() const noexcept { return nodata_; }
  // After run(): a compact denial (RFC 9824) answered NXDOMAIN because the query set the
  // Compact Answers OK flag; the response then sets it too.
  bool restored_nxdomain() const noexcept { return restored_nxdomain_; }

 private:
  // How an RRset written is signed when the answer carries DNSSEC records: not at all (glue,
  // delegation NS, synthesised CNAMEs), with the signatures made at load, or per query.
  enum class Sign : std::uint8_t { none, stored, online };

  void write(const zone::Hop& hop) noexcept;
  void from_node(const zone::Hop& hop) noexcept;
  void referral(std::uint32_t cut) noexcept;
  // A negative answer about owner, which is the node numbered node (kNoNode when the name
  // does not exist); service_nodata marks a service that has no records of the type asked.
  void negative(std::uint16_t rcode, std::string_view owner, std::uint32_t node,
                bool service_nodata = false) noexcept;
  // The compact denial NSEC (RFC 9824) at owner with its signatures.
  void deny(std::string_view owner, std::uint32_t node, bool service_nodata) noexcept;
  bool put(dns::Section section, std::string_view owner, std::uint16_t type, std::uint32_t ttl,
           std::span<const std::uint8_t> records, std::uint16_t count, Sign sign,
           const zone::RRset* set = nullptr) noexcept;
  bool put(dns::Section section, std::string_view owner, const zone::RRset& set, std::uint32_t ttl,
           Sign sign = Sign::stored) noexcept {
    return put(section, owner, set.type, ttl, set.records(), set.count, sign, &set);
  }
  // The signatures of the set just written, for a signed answer and a set that is signed
  // (sign is not none); false when they could not be written (the response is then truncated
  // or a SERVFAIL).
  bool put_signatures(dns::Section section, std::string_view owner, std::uint16_t type,
                      std::uint32_t ttl, std::span<const std::uint8_t> records, std::uint16_t count,
                      Sign sign, const zone::RRset* set) noexcept;
  bool signing() const noexcept { return services_.signing.on(); }
  // Whether the service at node (node.service >= 0) answers from a pool of host names.
  bool by_name(const zone::Node& node) const noexcept;
  // owner in lowercase: the hop's own lowercase name when owner is the hop's name, else
  // lowercased into buffer (kMaxNameWire octets); empty when owner is longer than a name.
  std::string_view lowered(std::string_view owner, char* buffer) const noexcept;
  void queue_additional(const zone::RRset& set) noexcept;
  void write_additional() noexcept;
  enum class Targets : std::uint8_t { all, in_domain, others };
  bool write_targets(const zone::RRset& set, Targets which) noexcept;

  static constexpr int kMaxAdditionalSets = 4;

  const zone::Zone& zone_;
  const dns::Query& query_;
  const ServiceEnv& services_;
  dns::ResponseWriter& writer_;
  bool truncated_ = false;
  std::string_view hop_owner_;  // the name of the hop being written, and its lowercase form
  std::string_view hop_owner_lower_;
  int answers_ = 0;
  const zone::RRset* additional_[kMaxAdditionalSets] = {};
  int additional_count_ = 0;
  const zone::RRset* referral_ns_ = nullptr;  // the NS set of a referral, whose glue is owed
  std::string_view referral_name_;
  bool nodata_ = false;
  bool restored_nxdomain_ = false;
  bool sign_failed_ = false;  // then the answer is SERVFAIL: unsigned it would be bogus
  // The CNAME target a pool of host names just answered with, for the chain to follow.
  std::string_view service_target_;
};

}  // namespace gslbd::query
