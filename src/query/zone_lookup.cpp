// SPDX-License-Identifier: Apache-2.0
#include "zone_lookup.hpp"

#include <cstring>

#include "gslbd/dns/name.hpp"

namespace gslbd::query {

using dns::Section;
using zone::kNoNode;

namespace {

std::string_view wire_view(const void* data, std::size_t len) noexcept {
  return {static_cast<const char*>(data), len};
}

}  // namespace

void ZoneLookup::run() noexcept {
  writer_.set_flag(dns::flag::AA, true);
  std::string_view name = wire_view(query_.qname_lower, query_.qname_len);
  std::string_view owner = wire_view(query_.qname, query_.qname_len);
  // Names already answered for, so a CNAME loop ends instead of repeating records.
  std::string_view visited[kMaxCnameHops + 1];
  for (int hop = 0; hop <= kMaxCnameHops && !truncated_; ++hop) {
    visited[hop] = owner;
    if (step(name, owner) != Step::follow_cname) break;
    // Follow only within this zone (RFC 1034 4.3.2 step 3a); the resolver does the rest.
    name = dns::lowercased_into(cname_target_, target_lower_);
    if (!dns::is_at_or_below(name, zone_.apex())) break;
    bool loop = false;
    for (int seen = 0; seen <= hop; ++seen) {
      loop = loop || dns::same_name(visited[seen], cname_target_);
    }
    if (loop) break;
    owner = cname_target_;
  }
  if (truncated_) {
    writer_.truncate_to_question();
    writer_.set_flag(dns::flag::TC, true);
    return;
  }
  write_additional();
}

ZoneLookup::Step ZoneLookup::step(std::string_view name, std::string_view owner) noexcept {
  const std::uint32_t index = zone_.find(name);
  if (index != kNoNode) {
    const zone::Node& node = zone_.node(index);
    // At a delegation point only DS is answered by the parent (RFC 4035 section 3.1.4.1).
    const bool parent_side = index == node.cut && query_.qtype == dns::type::DS;
    if (node.cut != kNoNode && !parent_side) {
      referral(node.cut);
      return Step::done;
    }
    return from_node(node, owner);
  }
  // The closest encloser always exists: names in the zone end at the apex, and every name
  // between a record's owner and the apex exists as a node (empty non-terminals included).
  std::string_view encloser = name;
  std::uint32_t encloser_index = kNoNode;
  while (encloser_index == kNoNode && encloser.size() > zone_.apex().size()) {
    encloser = dns::parent_name(encloser);
    encloser_index = zone_.find(encloser);
  }
  if (encloser_index == kNoNode) {
    negative(dns::rcode::NXDOMAIN);
    return Step::done;
  }
  const zone::Node& closest = zone_.node(encloser_index);
  if (closest.cut != kNoNode) {
    referral(closest.cut);
    return Step::done;
  }
  // RFC 4592: the source of synthesis is "*" directly below the closest encloser.
  if (encloser.size() + 2 <= dns::kMaxNameWire) {
    char wildcard[dns::kMaxNameWire];
    wildcard[0] = 1;
    wildcard[1] = '*';
    std::memcpy(wildcard + 2, encloser.data(), encloser.size());
    const std::uint32_t source = zone_.find(wire_view(wildcard, encloser.size() + 2));
    if (source != kNoNode) return from_node(zone_.node(source), owner);
  }
  negative(dns::rcode::NXDOMAIN);
  return Step::done;
}

ZoneLookup::Step ZoneLookup::from_node(const zone::Node& node, std::string_view owner) noexcept {
  if (node.service >= 0) {
    const zone::Service& service = zone_.services()[static_cast<std::size_t>(node.service)];
    switch (answer_service(service, query_, owner, services_, writer_)) {
      case ServiceResult::answered:
        ++answers_;
        break;
      case ServiceResult::nodata:
        negative(dns::rcode::NOERROR);
        break;
      case ServiceResult::servfail:
        writer_.set_rcode(dns::rcode::SERVFAIL);
        break;
      case ServiceResult::truncated:
        truncated_ = true;
        break;
    }
    return Step::done;
  }
  const std::uint16_t qtype = query_.qtype;
  const zone::RRset* set = nullptr;
  if (qtype == dns::type::ANY) {
    // RFC 8482: one RRset of the name stands for all of them.
    if (!node.rrsets().empty()) set = &node.rrsets().front();
  } else {
    set = node.find(qtype);
  }
  if (set) {
    if (put(Section::answer, owner, *set, set->ttl)) queue_additional(*set);
    return Step::done;
  }
  if (const zone::RRset* cname = node.find(dns::type::CNAME)) {
    if (!put(Section::answer, owner, *cname, cname->ttl)) return Step::done;
    const std::size_t rdlen = (std::size_t{cname->records()[0]} << 8) | cname->records()[1];
    cname_target_ = wire_view(cname->records().data() + 2, rdlen);
    return Step::follow_cname;
  }
  negative(dns::rcode::NOERROR);
  return Step::done;
}

void ZoneLookup::referral(std::uint32_t cut) noexcept {
  const zone::Node& node = zone_.node(cut);
  referral_name_ = node.name();
  const zone::RRset* ns = node.find(dns::type::NS);
  // A referral is not authoritative, unless a CNAME of ours already stands in the answer.
  if (answers_ == 0) writer_.set_flag(dns::flag::AA, false);
  if (ns && put(Section::authority, node.name(), *ns, ns->ttl)) queue_additional(*ns);
}

void ZoneLookup::negative(std::uint16_t rcode) noexcept {
  writer_.set_rcode(rcode);
  nodata_ = rcode == dns::rcode::NOERROR;
  // RFC 2308 section 5: the SOA's TTL in a negative answer is min(SOA TTL, SOA MINIMUM).
  put(Section::authority, zone_.apex(), zone_.soa(), zone_.negative_ttl());
}

bool ZoneLookup::put(Section section, std::string_view owner, const zone::RRset& set,
                     std::uint32_t ttl) noexcept {
  if (!writer_.rrset(section, owner, set.type, dns::klass::IN, ttl, set.records().data(),
                     set.records().size(), set.count)) {
    truncated_ = true;
    return false;
  }
  if (section == Section::answer) ++answers_;
  return true;
}

void ZoneLookup::queue_additional(const zone::RRset& set) noexcept {
  if (!set.additional_nodes().empty() && additional_count_ < kMaxAdditionalSets) {
    additional_[additional_count_++] = &set;
  }
}

void ZoneLookup::write_additional() noexcept {
  // RFC 2181 section 9: what does not fit in the additional section is left out without TC.
  for (int i = 0; i < additional_count_; ++i) {
    for (const std::uint32_t index : additional_[i]->additional_nodes()) {
      const zone::Node& target = zone_.node(index);
      for (const std::uint16_t type : {dns::type::A, dns::type::AAAA}) {
        const zone::RRset* set = target.find(type);
        if (set &&
            !writer_.rrset(Section::additional, target.name(), type, dns::klass::IN, set->ttl,
                           set->records().data(), set->records().size(), set->count)) {
          return;
        }
      }
    }
  }
}

}  // namespace gslbd::query
