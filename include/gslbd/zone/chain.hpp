// SPDX-License-Identifier: Apache-2.0
// The names one question visits in a zone: the name asked, then each CNAME target and each name
// a DNAME synthesises (RFC 1034 section 4.3.2 step 3, RFC 6672 section 3.2), while they stay in
// the zone, do not repeat and number at most kMaxHops aliases. These rules live here only: the
// answer writer and /explain walk the same chain. No allocation; any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "gslbd/dns/constants.hpp"
#include "gslbd/zone/zone.hpp"

namespace gslbd::zone {

enum class Link : std::uint8_t { none, cname, dname };

// Why a chain ended.
enum class ChainEnd : std::uint8_t {
  answered,   // the last name's location is the whole answer: nothing further to follow
  left_zone,  // the last alias points outside the zone: the resolver follows it
  loop,       // the last alias points to a name already visited
  hop_limit,  // the chain has more than kMaxHops aliases: it ends after the last one followed
  too_long,   // the DNAME substitution exceeds 255 octets (RFC 6672 section 2.2: YXDOMAIN)
};

struct Hop {
  std::string_view owner;        // the name, spelt as asked or as in the rdata that led here
  std::string_view owner_lower;  // owner in lowercase (what lookups and signatures use)
  Location location;
  // The RRset answering the question at location.node (exact and wildcard names; ANY takes the
  // node's first RRset, RFC 8482), or nullptr.
  const RRset* answer = nullptr;
  Link link = Link::none;
  const RRset* alias = nullptr;  // the CNAME or DNAME set the chain follows from here
  // The next name (case preserved), empty when the chain ends here. For a DNAME, the
  // synthesised CNAME target; cname_record holds that CNAME's rdata in stored form (rdlength,
  // name), and is empty when the substitution is too long.
  std::string_view target;
  std::span<const std::uint8_t> cname_record;
};

class Chain {
 public:
  static constexpr int kMaxHops = 8;

  // qname as asked (any case) and its lowercase form; both stay valid while the chain is used.
  Chain(const Zone& zone, std::string_view qname, std::string_view qname_lower,
        std::uint16_t qtype) noexcept;
  Chain(const Chain&) = delete;  // hops point into this chain's buffers
  Chain& operator=(const Chain&) = delete;

  // The first name, then each name the previous one leads to; false when the chain has ended
  // (end() says why). hop stays valid until the chain is destroyed.
  bool next(Hop& hop) noexcept;
  ChainEnd end() const noexcept { return end_; }

  // The name just visited is a service whose pool answered with a CNAME to target (a wire
  // name that outlives the chain): the chain goes on there, under the rules for the zone's
  // own CNAMEs. No effect once the chain has ended.
  void follow(std::string_view target) noexcept;

 private:
  void describe(Hop& hop) noexcept;

  const Zone& zone_;
  std::uint16_t qtype_;
  int count_ = 0;  // names visited so far
  bool ended_ = false;
  ChainEnd end_ = ChainEnd::answered;
  std::string_view pending_;  // the next name to visit, as spelt; empty when there is none
  std::string_view pending_lower_;
  // Names visited, kept as pointer and length: left uninitialised, so that a chain of one name
  // (most answers) costs nothing for the others.
  const char* visited_data_[kMaxHops + 1];
  std::uint8_t visited_size_[kMaxHops + 1];
  char lower_[dns::kMaxNameWire];
  // Synthesised names in stored CNAME form, one per hop, so that visited_data_ may point to them.
  std::uint8_t synthesised_[kMaxHops + 1][2 + dns::kMaxNameWire];
};

}  // namespace gslbd::zone
