// SPDX-License-Identifier: Apache-2.0
#include "zone_lookup.hpp"

#include <cstring>

#include "gslbd/dns/name.hpp"

namespace gslbd::query {

using dns::Section;

namespace {

std::string_view wire_view(const void* data, std::size_t len) noexcept {
  return {static_cast<const char*>(data), len};
}

}  // namespace

void ZoneLookup::run() noexcept {
  writer_.set_flag(dns::flag::AA, true);
  zone::Chain chain(zone_, wire_view(query_.qname, query_.qname_len),
                    wire_view(query_.qname_lower, query_.qname_len), query_.qtype);
  zone::Hop hop;
  while (!truncated_ && chain.next(hop)) write(hop);
  if (truncated_) {
    writer_.truncate_to_question();
    writer_.set_flag(dns::flag::TC, true);
    return;
  }
  if (chain.end() == zone::ChainEnd::too_long) writer_.set_rcode(dns::rcode::YXDOMAIN);
  write_additional();
}

void ZoneLookup::write(const zone::Hop& hop) noexcept {
  const zone::Location& at = hop.location;
  switch (at.where) {
    case zone::Where::delegation:
      referral(at.node);
      return;
    case zone::Where::nxdomain:
      negative(dns::rcode::NXDOMAIN);
      return;
    case zone::Where::empty_nonterminal:
      negative(dns::rcode::NOERROR);
      return;
    case zone::Where::dname: {
      const zone::Node& owner = zone_.node(at.node);
      if (!put(Section::answer, owner.name(), *hop.alias, hop.alias->ttl)) return;
      // RFC 6672 section 3.2: the synthesised CNAME has the owner asked for and the DNAME's TTL.
      if (!hop.cname_record.empty()) {
        put(Section::answer, hop.owner, dns::type::CNAME, hop.alias->ttl, hop.cname_record, 1);
      }
      return;
    }
    case zone::Where::exact:
    case zone::Where::wildcard:
      from_node(hop);
      return;
  }
}

void ZoneLookup::from_node(const zone::Hop& hop) noexcept {
  const zone::Node& node = zone_.node(hop.location.node);
  if (node.service >= 0) {
    const zone::Service& service = zone_.services()[static_cast<std::size_t>(node.service)];
    switch (answer_service(service, query_, hop.owner, services_, writer_)) {
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
    return;
  }
  if (hop.answer != nullptr) {
    if (put(Section::answer, hop.owner, *hop.answer, hop.answer->ttl)) {
      queue_additional(*hop.answer);
    }
    return;
  }
  if (hop.link == zone::Link::cname) {
    put(Section::answer, hop.owner, *hop.alias, hop.alias->ttl);
    return;
  }
  negative(dns::rcode::NOERROR);
}

void ZoneLookup::referral(std::uint32_t cut) noexcept {
  const zone::Node& node = zone_.node(cut);
  referral_name_ = node.name();
  const zone::RRset* ns = node.find(dns::type::NS);
  // A referral is not authoritative, unless a CNAME of ours already stands in the answer.
  if (answers_ == 0) writer_.set_flag(dns::flag::AA, false);
  if (ns && put(Section::authority, node.name(), *ns, ns->ttl)) {
    referral_ns_ = ns;
    queue_additional(*ns);
  }
}

void ZoneLookup::negative(std::uint16_t rcode) noexcept {
  writer_.set_rcode(rcode);
  nodata_ = rcode == dns::rcode::NOERROR;
  // RFC 2308 section 5: the SOA's TTL in a negative answer is min(SOA TTL, SOA MINIMUM).
  put(Section::authority, zone_.apex(), zone_.soa(), zone_.negative_ttl());
}

bool ZoneLookup::put(Section section, std::string_view owner, const zone::RRset& set,
                     std::uint32_t ttl) noexcept {
  return put(section, owner, set.type, ttl, set.records(), set.count);
}

bool ZoneLookup::put(Section section, std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                     std::span<const std::uint8_t> records, std::uint16_t count) noexcept {
  if (!writer_.rrset(section, owner, type, dns::klass::IN, ttl, records.data(), records.size(),
                     count)) {
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
  for (int i = 0; i < additional_count_; ++i) {
    const zone::RRset& set = *additional_[i];
    if (&set != referral_ns_) {
      // RFC 2181 section 9: what does not fit in the additional section is left out without TC.
      if (!write_targets(set, Targets::all)) return;
      continue;
    }
    // RFC 9471: a referral carries the glue of every in-domain name server, or sets TC; other
    // addresses (sibling glue, the parent's own names) are optional.
    if (!write_targets(set, Targets::in_domain)) {
      writer_.set_flag(dns::flag::TC, true);
      return;
    }
    if (!write_targets(set, Targets::others)) return;
  }
}

bool ZoneLookup::write_targets(const zone::RRset& set, Targets which) noexcept {
  for (const std::uint32_t index : set.additional_nodes()) {
    const zone::Node& target = zone_.node(index);
    if (which != Targets::all &&
        dns::is_at_or_below(target.name(), referral_name_) != (which == Targets::in_domain)) {
      continue;
    }
    for (const std::uint16_t type : {dns::type::A, dns::type::AAAA}) {
      const zone::RRset* address = target.find(type);
      if (address &&
          !writer_.rrset(Section::additional, target.name(), type, dns::klass::IN, address->ttl,
                         address->records().data(), address->records().size(), address->count)) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace gslbd::query
