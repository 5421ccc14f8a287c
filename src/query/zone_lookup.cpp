// SPDX-License-Identifier: Apache-2.0
#include "zone_lookup.hpp"

#include <cstring>

#include "gslbd/dns/name.hpp"
#include "gslbd/dnssec/compact_nsec.hpp"

namespace gslbd::query {

using dns::Section;

namespace {

std::string_view wire_view(const void* data, std::size_t len) noexcept {
  return {static_cast<const char*>(data), len};
}

}  // namespace

void ZoneLookup::run() noexcept {
  writer_.set_flag(dns::flag::AA, true);
  if (signing() && query_.qtype == dnssec::rrtype::NXNAME) {
    writer_.set_rcode(dns::rcode::FORMERR);  // RFC 9824 section 3.5
    return;
  }
  zone::Chain chain(zone_, wire_view(query_.qname, query_.qname_len),
                    wire_view(query_.qname_lower, query_.qname_len), query_.qtype);
  zone::Hop hop;
  while (!truncated_ && !sign_failed_ && chain.next(hop)) {
    write(hop);
    if (!service_target_.empty()) {
      chain.follow(service_target_);
      service_target_ = {};
    }
  }
  if (sign_failed_) {
    writer_.truncate_to_question();
    writer_.set_rcode(dns::rcode::SERVFAIL);
    return;
  }
  if (truncated_) {
    writer_.truncate_to_question();
    writer_.set_flag(dns::flag::TC, true);
    return;
  }
  if (chain.end() == zone::ChainEnd::too_long) writer_.set_rcode(dns::rcode::YXDOMAIN);
  write_additional();
}

bool ZoneLookup::by_name(const zone::Node& node) const noexcept {
  const std::int32_t index = zone_.services()[static_cast<std::size_t>(node.service)].pool_index;
  return services_.pools != nullptr && index >= 0 &&
         static_cast<std::size_t>(index) < services_.pools->pools.size() &&
         services_.pools->pools[static_cast<std::size_t>(index)].by_name;
}

std::string_view ZoneLookup::lowered(std::string_view owner, char* buffer) const noexcept {
  if (owner.data() == hop_owner_.data() && owner.size() == hop_owner_.size()) {
    return hop_owner_lower_;
  }
  if (owner.size() > dns::kMaxNameWire) return {};
  return dns::lowercased_into(owner, buffer);
}

void ZoneLookup::write(const zone::Hop& hop) noexcept {
  hop_owner_ = hop.owner;
  hop_owner_lower_ = hop.owner_lower;
  const zone::Location& at = hop.location;
  switch (at.where) {
    case zone::Where::delegation:
      referral(at.node);
      return;
    case zone::Where::nxdomain:
      negative(dns::rcode::NXDOMAIN, hop.owner, zone::kNoNode);
      return;
    case zone::Where::empty_nonterminal:
      negative(dns::rcode::NOERROR, hop.owner, at.node);
      return;
    case zone::Where::dname: {
      const zone::Node& owner = zone_.node(at.node);
      if (!put(Section::answer, owner.name(), *hop.alias, hop.alias->ttl)) return;
      // RFC 6672 section 3.2: the synthesised CNAME has the owner asked for and the DNAME's TTL.
      // Validators synthesise it from the signed DNAME (RFC 4035 section 5.3.3): unsigned.
      if (!hop.cname_record.empty()) {
        put(Section::answer, hop.owner, dns::type::CNAME, hop.alias->ttl, hop.cname_record, 1,
            Sign::none);
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
    switch (answer_service(service, query_, hop.owner, hop.owner_lower, services_, writer_,
                           &service_target_)) {
      case ServiceResult::answered:
        ++answers_;
        break;
      case ServiceResult::aliased:
        ++answers_;
        break;
      case ServiceResult::nodata:
        negative(dns::rcode::NOERROR, hop.owner, hop.location.node, true);
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
  // A wildcard's records answer under the name asked, signed as that name (so that no proof
  // of the wildcard's use is needed); everything else carries the signatures made at load.
  const Sign sign = hop.location.where == zone::Where::wildcard ? Sign::online : Sign::stored;
  if (hop.answer != nullptr) {
    if (put(Section::answer, hop.owner, *hop.answer, hop.answer->ttl, sign)) {
      queue_additional(*hop.answer);
    }
    return;
  }
  if (hop.link == zone::Link::cname) {
    put(Section::answer, hop.owner, *hop.alias, hop.alias->ttl, sign);
    return;
  }
  negative(dns::rcode::NOERROR, hop.owner, hop.location.node);
}

void ZoneLookup::referral(std::uint32_t cut) noexcept {
  const zone::Node& node = zone_.node(cut);
  referral_name_ = node.name();
  const zone::RRset* ns = node.find(dns::type::NS);
  // A referral is not authoritative, unless a CNAME of ours already stands in the answer.
  if (answers_ == 0) writer_.set_flag(dns::flag::AA, false);
  if (!ns || !put(Section::authority, node.name(), *ns, ns->ttl, Sign::none)) return;
  referral_ns_ = ns;
  queue_additional(*ns);
  if (!signing()) return;
  // RFC 4035 section 3.1.4: the signed DS set, or the proof that there is none.
  if (const zone::RRset* ds = node.find(dns::type::DS)) {
    put(Section::authority, node.name(), *ds, ds->ttl);
  } else {
    deny(node.name(), cut, false);
  }
}

void ZoneLookup::negative(std::uint16_t rcode, std::string_view owner, std::uint32_t node,
                          bool service_nodata) noexcept {
  // RFC 9824 section 3: a signed zone says a missing name exists with no data (NOERROR), and
  // gives NXDOMAIN back only to a client that asks for it (section 4).
  if (signing() && rcode == dns::rcode::NXDOMAIN && !query_.edns_co) rcode = dns::rcode::NOERROR;
  restored_nxdomain_ = signing() && rcode == dns::rcode::NXDOMAIN;
  writer_.set_rcode(rcode);
  nodata_ = rcode == dns::rcode::NOERROR;
  if (!writer_.rrset(Section::authority, zone_.negative_soa())) {
    truncated_ = true;
    return;
  }
  if (!signing()) return;
  if (!put_signatures(Section::authority, zone_.apex(), dns::type::SOA, zone_.negative_ttl(),
                      zone_.soa().records(), zone_.soa().count, Sign::stored, &zone_.soa())) {
    return;
  }
  deny(owner, node, service_nodata);
}

void ZoneLookup::deny(std::string_view owner, std::uint32_t node, bool service_nodata) noexcept {
  // The types the name has: NXNAME for none at all; at a delegation point only what the
  // parent side holds (RFC 4035 section 2.3); for a service name the addresses it can give.
  constexpr std::size_t kMaxTypes = 64;
  std::uint16_t types[kMaxTypes];
  std::size_t count = 0;
  if (node == zone::kNoNode) {
    types[count++] = dnssec::rrtype::NXNAME;
  } else if (zone_.node(node).service >= 0) {
    if (by_name(zone_.node(node))) {
      // A pool of host names answers every type with its CNAME: with none chosen, it has none.
      if (!service_nodata) types[count++] = dns::type::CNAME;
    } else {
      for (const std::uint16_t type : {dns::type::A, dns::type::AAAA}) {
        if (!(service_nodata && type == query_.qtype)) types[count++] = type;
      }
    }
  } else {
    const zone::Node& at = zone_.node(node);
    const bool cut = at.cut == node;
    for (const zone::RRset& set : at.rrsets()) {
      if (count == kMaxTypes || set.type >= 512) break;
      if (cut && set.type != dns::type::NS && set.type != dns::type::DS) continue;
      types[count++] = set.type;
    }
  }
  char lower[dns::kMaxNameWire];
  const std::string_view owner_lower = lowered(owner, lower);
  if (owner_lower.empty()) return;
  std::uint8_t nsec[2 + dnssec::kMaxNsecRdata];
  const std::size_t length =
      dnssec::compact_nsec(owner_lower, zone_.apex(), std::span(types, count), nsec);
  if (length == 0) {
    sign_failed_ = true;
    return;
  }
  put(Section::authority, owner, dnssec::rrtype::NSEC, zone_.negative_ttl(), {nsec, length}, 1,
      Sign::online);
}

bool ZoneLookup::put(Section section, std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                     std::span<const std::uint8_t> records, std::uint16_t count, Sign sign,
                     const zone::RRset* set) noexcept {
  if (!writer_.rrset(section, owner, type, dns::klass::IN, ttl, records.data(), records.size(),
                     count)) {
    truncated_ = true;
    return false;
  }
  if (section == Section::answer) ++answers_;
  if (!signing() || sign == Sign::none) return true;
  return put_signatures(section, owner, type, ttl, records, count, sign, set);
}

bool ZoneLookup::put_signatures(Section section, std::string_view owner, std::uint16_t type,
                                std::uint32_t ttl, std::span<const std::uint8_t> records,
                                std::uint16_t count, Sign sign, const zone::RRset* set) noexcept {
  if (sign == Sign::stored && set != nullptr) {
    const zone::Signatures signatures = zone_.signatures(*set);
    if (signatures.count == 0) return true;  // parent-side data: never signed
    if (!writer_.rrset_at_last_owner(section, owner, dnssec::rrtype::RRSIG, dns::klass::IN, ttl,
                                     signatures.records.data(), signatures.records.size(),
                                     signatures.count)) {
      truncated_ = true;
      return false;
    }
    return true;
  }
  char lower[dns::kMaxNameWire];
  switch (put_online_signatures(services_.signing, section, owner, lowered(owner, lower), type, ttl,
                                records, count, writer_)) {
    case SignOutcome::written:
      return true;
    case SignOutcome::no_room:
      truncated_ = true;
      return false;
    case SignOutcome::failed:
      break;
  }
  sign_failed_ = true;
  return false;
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
      if (!address) continue;
      if (!writer_.rrset(Section::additional, target.name(), type, dns::klass::IN, address->ttl,
                         address->records().data(), address->records().size(), address->count)) {
        return false;
      }
      // RFC 4035 section 3.1.1: a signed RRset in the additional section takes its RRSIGs
      // along; when they do not fit, the RRset may stay without them, and that alone never
      // sets TC. Glue has no signatures (zone::sign_zone leaves it unsigned), so only in-zone
      // data gets them. Optional data after it is left out, as for any that does not fit; the
      // glue a referral owes is never given up for a signature.
      if (!signing()) continue;
      const zone::Signatures signatures = zone_.signatures(*address);
      if (signatures.count > 0 &&
          !writer_.rrset_at_last_owner(Section::additional, target.name(), dnssec::rrtype::RRSIG,
                                       dns::klass::IN, address->ttl, signatures.records.data(),
                                       signatures.records.size(), signatures.count) &&
          which != Targets::in_domain) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace gslbd::query
