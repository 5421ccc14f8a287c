// SPDX-License-Identifier: Apache-2.0
// RFC 1034 section 4.3.2 lookup in one zone, written straight into the response: exact match,
// CNAME chase within the zone, delegations (referrals with glue), RFC 4592 wildcards, and
// RFC 2308 negative answers with the SOA; service names are handed to their pool's policy.
// Worker thread; no allocation.
#pragma once

#include <cstdint>

#include "gslbd/dns/query.hpp"
#include "gslbd/dns/response_writer.hpp"
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

 private:
  enum class Step : std::uint8_t { done, follow_cname };

  Step step(std::string_view name, std::string_view owner) noexcept;
  Step from_node(const zone::Node& node, std::string_view owner) noexcept;
  void referral(std::uint32_t cut) noexcept;
  void negative(std::uint16_t rcode) noexcept;
  bool put(dns::Section section, std::string_view owner, const zone::RRset& set,
           std::uint32_t ttl) noexcept;
  void queue_additional(const zone::RRset& set) noexcept;
  void write_additional() noexcept;

  static constexpr int kMaxCnameHops = 8;
  static constexpr int kMaxAdditionalSets = 4;

  const zone::Zone& zone_;
  const dns::Query& query_;
  const ServiceEnv& services_;
  dns::ResponseWriter& writer_;
  bool truncated_ = false;
  int answers_ = 0;
  char target_lower_[dns::kMaxNameWire];  // the CNAME target being followed, lower-cased
  const zone::RRset* additional_[kMaxAdditionalSets] = {};
  int additional_count_ = 0;
  std::string_view cname_target_;  // original case, points into the zone's rdata
  std::string_view referral_name_;
  bool nodata_ = false;
};

}  // namespace gslbd::query
