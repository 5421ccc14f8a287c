// SPDX-License-Identifier: Apache-2.0
#include "gslbd/zone/zone_builder.hpp"

#include <algorithm>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/dns/names.hpp"
#include "zone_draft.hpp"

namespace gslbd::zone {
namespace {

using dns::name_to_text;

bool is_meta_type(std::uint16_t type) {
  return type == 0 || type == dns::type::OPT || (type >= 128 && type <= 255);
}

std::uint32_t read_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// Offset of the target name inside the rdata of types whose targets get additional records.
int target_offset(std::uint16_t type) {
  switch (type) {
    case dns::type::NS:
      return 0;
    case dns::type::MX:
      return 2;
    case dns::type::SRV:
      return 6;
    default:
      return -1;
  }
}

bool allowed_below_cut(std::uint16_t type, bool at_cut) {
  if (type == dns::type::A || type == dns::type::AAAA) return true;  // glue
  return at_cut && (type == dns::type::NS || type == dns::type::DS);
}

// The size of the smallest message that answers with one whole RRset: header, the question
// for its owner, each record with its owner compressed to a pointer to the question and its
// rdata as stored (the writer copies rdata as is), and an OPT record without options. A set for
// which this exceeds a DNS message (65535 octets) can never be served, over UDP or TCP.
// stored_octets counts each record's 2-octet rdlength with its rdata, as the draft does.
std::size_t smallest_answer_size(std::size_t owner_octets, std::size_t records,
                                 std::size_t stored_octets) {
  constexpr std::size_t kQuestionFixed = 4;            // qtype, qclass
  constexpr std::size_t kRecordFixed = 2 + 2 + 2 + 4;  // name pointer, type, class, TTL
  constexpr std::size_t kEmptyOpt = 11;
  return dns::kHeaderSize + owner_octets + kQuestionFixed + records * kRecordFixed + stored_octets +
         kEmptyOpt;
}

}  // namespace

bool Node::is_delegation_point() const noexcept {
  return find(dns::type::NS) != nullptr;
}

ZoneBuilder::ZoneBuilder(std::string_view apex_wire)
    : apex_(dns::lowercased(apex_wire)), draft_(std::make_unique<ZoneDraft>()) {
  draft_->node_for(apex_);
}

ZoneBuilder::~ZoneBuilder() = default;
ZoneBuilder::ZoneBuilder(ZoneBuilder&&) noexcept = default;
ZoneBuilder& ZoneBuilder::operator=(ZoneBuilder&&) noexcept = default;

std::string ZoneBuilder::add_record(std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                                    std::span<const std::uint8_t> rdata, std::uint32_t source) {
  char buffer[256];
  if (owner.size() > sizeof buffer) return "name longer than 255 octets";
  const std::string_view name = dns::lowercased_into(owner, buffer);
  if (!dns::is_at_or_below(name, apex_)) {
    return "name " + name_to_text(name) + " is outside the zone " + name_to_text(apex_);
  }
  if (type == dns::type::SOA) return "SOA records come from the zone's soa: section only";
  if (type == dns::type::NS && name == apex_) {
    return "NS records at the apex come from the zone's ns: list only";
  }
  if (is_meta_type(type))
    return dns::rr_type_text(type) + " is a meta type and cannot be in a zone";
  // A refused record may leave its name behind as a node without data: harmless, since a zone
  // with any refusal is never built.
  const std::uint32_t node = draft_->node_for(name);
  if (draft_->node(node).service >= 0) {
    return "name " + name_to_text(name) + " is a service and cannot also carry records";
  }
  return add_to_node(node, type, ttl, rdata, source);
}

std::string ZoneBuilder::set_soa(std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
  if (has_soa_) return "the zone has a second SOA record";
  has_soa_ = true;
  return add_to_node(0, dns::type::SOA, ttl, rdata);
}

std::string ZoneBuilder::add_apex_ns(std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
  return add_to_node(0, dns::type::NS, ttl, rdata);
}

std::string ZoneBuilder::add_service(std::string_view owner, std::string pool, std::uint32_t ttl) {
  Service service;
  service.name = std::string(owner);
  service.pool = std::move(pool);
  service.ttl = ttl;
  service.degraded_ttl = ttl;
  return add_service(std::move(service));
}

std::string ZoneBuilder::add_service(Service service, std::uint32_t source) {
  const std::string name = dns::lowercased(service.name);
  if (!dns::is_at_or_below(name, apex_)) {
    return "service " + name_to_text(name) + " is outside the zone " + name_to_text(apex_);
  }
  ZoneDraft::DraftNode& node = draft_->node(draft_->node_for(name));
  if (node.service >= 0) return "service " + name_to_text(name) + " is defined twice";
  if (node.first_rrset != ZoneDraft::kNone) {
    return "service " + name_to_text(name) + " also has records; a name is one or the other";
  }
  node.service = static_cast<std::int32_t>(services_.size());
  service.name = name;
  services_.push_back(std::move(service));
  service_sources_.push_back(source);
  return {};
}

std::string ZoneBuilder::add_to_node(std::uint32_t node, std::uint16_t type, std::uint32_t ttl,
                                     std::span<const std::uint8_t> rdata, std::uint32_t source) {
  if (rdata.size() > 0xffff) return "record data longer than 65535 octets";
  // Only for messages: most records are fine, and a million of them should not format a name.
  const auto owner = [this, node] { return name_to_text(draft_->name(node)); };
  const bool has_cname = draft_->find_rrset(node, dns::type::CNAME) != ZoneDraft::kNone;
  if (type == dns::type::CNAME && has_cname) return "a second CNAME at " + owner();
  if (type == dns::type::CNAME && draft_->node(node).first_rrset != ZoneDraft::kNone) {
    return "CNAME at " + owner() + " beside other data (RFC 1034 section 3.6.2)";
  }
  if (type != dns::type::CNAME && has_cname) {
    return dns::rr_type_text(type) + " at " + owner() + " beside a CNAME (RFC 1034 section 3.6.2)";
  }
  std::uint32_t set = draft_->find_rrset(node, type);
  if (type == dns::type::DNAME && set != ZoneDraft::kNone) {
    return "a second DNAME at " + owner() + " (RFC 6672 section 2.4)";
  }
  if (set == ZoneDraft::kNone) {
    set = draft_->add_rrset(node, type, ttl);
    draft_->rrset(set).source = source;
  } else {
    const ZoneDraft::DraftRRset& existing = draft_->rrset(set);
    if (existing.ttl != ttl) {
      return "TTL " + std::to_string(ttl) + " differs from TTL " + std::to_string(existing.ttl) +
             " of the other " + dns::rr_type_text(type) + " records at " + owner() +
             " (RFC 2181 section 5.2)";
    }
    if (draft_->has_record(set, rdata)) {
      return "duplicate " + dns::rr_type_text(type) + " record at " + owner();
    }
    if (existing.count == 0xffff) return "too many records in one RRset at " + owner();
  }
  draft_->add_record(set, rdata);
  return {};
}

void ZoneBuilder::add_empty_non_terminals() {
  // Every name between a node and the apex exists (RFC 4592 relies on it).
  const std::size_t real_nodes = draft_->node_count();
  char name[256];
  for (std::size_t i = 0; i < real_nodes; ++i) {
    // A copy: adding a node may move the name arena.
    const std::string_view original = draft_->name(static_cast<std::uint32_t>(i));
    std::copy(original.begin(), original.end(), name);
    std::string_view walk(name, original.size());
    while (walk != apex_) {
      walk = dns::parent_name(walk);
      if (draft_->find(walk) != kNoNode) break;
      draft_->node_for(walk);
    }
  }
}

void ZoneBuilder::link_delegations() {
  // A node's cut is the highest NS-owning ancestor below the apex (or itself). Most zones
  // delegate nothing; then there is nothing to walk.
  bool delegates = false;
  for (std::uint32_t n = 1; n < draft_->node_count() && !delegates; ++n) {
    delegates = draft_->find_rrset(n, dns::type::NS) != ZoneDraft::kNone;
  }
  if (!delegates) return;
  for (std::uint32_t n = 0; n < draft_->node_count(); ++n) {
    std::string_view name = draft_->name(n);
    while (name != apex_) {
      const std::uint32_t at = draft_->find(name);
      if (at != kNoNode && draft_->find_rrset(at, dns::type::NS) != ZoneDraft::kNone) {
        draft_->node(n).cut = at;
      }
      name = dns::parent_name(name);
    }
  }
}

void ZoneBuilder::link_additional_targets() {
  std::vector<std::uint32_t>& additional = draft_->additional();
  for (std::uint32_t n = 0; n < draft_->node_count(); ++n) {
    for (std::uint32_t r = draft_->node(n).first_rrset; r != ZoneDraft::kNone;
         r = draft_->rrset(r).next) {
      const int offset = target_offset(draft_->rrset(r).type);
      if (offset < 0) continue;
      const auto begin = static_cast<std::uint32_t>(additional.size());
      const bool is_ns = draft_->rrset(r).type == dns::type::NS;
      for (std::uint32_t i = draft_->rrset(r).first_record; i != ZoneDraft::kNone;
           i = draft_->record(i).next) {
        const std::span<const std::uint8_t> rdata = draft_->rdata(draft_->record(i));
        const auto at = static_cast<std::size_t>(offset);
        if (at >= rdata.size()) continue;
        const std::string target = dns::lowercased(
            std::string_view(reinterpret_cast<const char*>(rdata.data() + at), rdata.size() - at));
        const std::uint32_t found = draft_->find(target);
        if (found == kNoNode) continue;
        const bool usable = is_ns || draft_->node(found).cut == kNoNode;
        if (usable &&
            std::find(additional.begin() + begin, additional.end(), found) == additional.end()) {
          additional.push_back(found);
        }
      }
      draft_->rrset(r).additional_begin = begin;
      draft_->rrset(r).additional_count = static_cast<std::uint32_t>(additional.size()) - begin;
    }
  }
}

void ZoneBuilder::check_below_dnames(std::vector<BuildError>& errors) const {
  bool has_dname = false;
  for (std::uint32_t r = 0; r < draft_->rrset_count() && !has_dname; ++r) {
    has_dname = draft_->rrset(r).type == dns::type::DNAME;
  }
  if (!has_dname) return;
  for (std::uint32_t n = 1; n < draft_->node_count(); ++n) {
    const ZoneDraft::DraftNode& node = draft_->node(n);
    if (node.first_rrset == ZoneDraft::kNone && node.service < 0) continue;
    std::string_view above = draft_->name(n);
    std::uint32_t owner = kNoNode;
    while (owner == kNoNode && above != apex_) {
      above = dns::parent_name(above);
      const std::uint32_t at = draft_->find(above);
      if (at != kNoNode && draft_->find_rrset(at, dns::type::DNAME) != ZoneDraft::kNone) {
        owner = at;
      }
    }
    if (owner == kNoNode) continue;
    const std::string where = name_to_text(draft_->name(n)) + " is below the DNAME at " +
                              name_to_text(draft_->name(owner)) +
                              ", where no data may be (RFC 6672 section 2.4)";
    for (std::uint32_t r = node.first_rrset; r != ZoneDraft::kNone; r = draft_->rrset(r).next) {
      errors.push_back(
          {dns::rr_type_text(draft_->rrset(r).type) + " at " + where, draft_->rrset(r).source});
    }
    if (node.service >= 0) {
      errors.push_back(
          {"service " + where, service_sources_[static_cast<std::size_t>(node.service)]});
    }
  }
}

std::unique_ptr<Zone> ZoneBuilder::build(std::vector<std::string>& errors) {
  std::vector<BuildError> found;
  auto zone = build(found);
  for (BuildError& error : found) errors.push_back(std::move(error.reason));
  return zone;
}

std::unique_ptr<Zone> ZoneBuilder::build(std::vector<BuildError>& errors) {
  const std::size_t errors_before = errors.size();
  const std::string apex_text = name_to_text(apex_);
  auto add = [&errors](std::string reason) { errors.push_back({std::move(reason), kNoSource}); };
  if (!has_soa_) add("zone " + apex_text + " has no SOA record");
  if (draft_->find_rrset(0, dns::type::NS) == ZoneDraft::kNone) {
    add("zone " + apex_text + " has no apex NS");
  }
  add_empty_non_terminals();
  link_delegations();
  check_below_dnames(errors);
  for (std::uint32_t n = 0; n < draft_->node_count(); ++n) {
    const ZoneDraft::DraftNode& node = draft_->node(n);
    if (node.cut == kNoNode) continue;
    const bool at_cut = n == node.cut;
    const std::string cut_text = name_to_text(draft_->name(node.cut));
    const std::string node_text = name_to_text(draft_->name(n));
    if (node.service >= 0) {
      add("service " + node_text + " is below the delegation at " + cut_text);
    }
    for (std::uint32_t r = node.first_rrset; r != ZoneDraft::kNone; r = draft_->rrset(r).next) {
      const std::uint16_t type = draft_->rrset(r).type;
      if (!allowed_below_cut(type, at_cut)) {
        add(dns::rr_type_text(type) + " at " + node_text + " is below the delegation at " +
            cut_text + "; only NS, DS and glue (A/AAAA) may be there");
      }
    }
  }
  for (std::uint32_t n = 0; n < draft_->node_count(); ++n) {
    for (std::uint32_t r = draft_->node(n).first_rrset; r != ZoneDraft::kNone;
         r = draft_->rrset(r).next) {
      const ZoneDraft::DraftRRset& set = draft_->rrset(r);
      const std::size_t size =
          smallest_answer_size(draft_->name(n).size(), set.count, set.rdata_octets);
      if (size > dns::kMaxMessage) {
        add(dns::rr_type_text(set.type) + " RRset at " + name_to_text(draft_->name(n)) + " needs " +
            std::to_string(size) + " octets in the smallest answer, more than the " +
            std::to_string(dns::kMaxMessage) +
            " of a DNS message, so it could never be served; split it over several names");
      }
    }
  }
  if (errors.size() != errors_before) return nullptr;
  link_additional_targets();
  return flatten();
}

std::unique_ptr<Zone> ZoneBuilder::flatten() {
  auto zone = std::make_unique<Zone>();
  const ZoneDraft& draft = *draft_;
  std::size_t rdata_octets = 0;
  for (std::uint32_t r = 0; r < draft.rrset_count(); ++r) {
    rdata_octets += draft.rrset(r).rdata_octets;
  }
  // Sized once and never resized again, so the views below stay valid.
  zone->nodes_.resize(draft.node_count());
  zone->names_.resize(draft.name_octets());
  zone->rrsets_.resize(draft.rrset_count());
  zone->rdata_.resize(rdata_octets);
  zone->additional_ = draft.additional();
  std::uint8_t* name_at = zone->names_.data();
  RRset* rrset_at = zone->rrsets_.data();
  std::uint8_t* rdata_at = zone->rdata_.data();
  for (std::uint32_t n = 0; n < draft.node_count(); ++n) {
    const ZoneDraft::DraftNode& source = draft.node(n);
    Node& node = zone->nodes_[n];
    node.cut = source.cut;
    node.service = source.service;
    node.name_ = name_at;
    const std::string_view name = draft.name(n);
    *name_at++ = static_cast<std::uint8_t>(name.size());
    name_at = std::copy(name.begin(), name.end(), name_at);
    node.rrsets_ = rrset_at;
    for (std::uint32_t r = source.first_rrset; r != ZoneDraft::kNone; r = draft.rrset(r).next) {
      const ZoneDraft::DraftRRset& set = draft.rrset(r);
      RRset& out = *rrset_at++;
      ++node.rrset_count_;
      out.type = set.type;
      out.count = set.count;
      out.ttl = set.ttl;
      out.records_ = rdata_at;
      out.records_size_ = set.rdata_octets;
      for (std::uint32_t i = set.first_record; i != ZoneDraft::kNone; i = draft.record(i).next) {
        const std::span<const std::uint8_t> rdata = draft.rdata(draft.record(i));
        *rdata_at++ = static_cast<std::uint8_t>(rdata.size() >> 8);
        *rdata_at++ = static_cast<std::uint8_t>(rdata.size() & 0xff);
        rdata_at = std::copy(rdata.begin(), rdata.end(), rdata_at);
      }
      out.additional_ = zone->additional_.data() + set.additional_begin;
      out.additional_count_ = set.additional_count;
    }
  }
  draft_.reset();

  const RRset& soa = *zone->nodes_[0].find(dns::type::SOA);
  const std::span<const std::uint8_t> soa_data = soa.records();
  if (soa_data.size() >= 22) {
    const std::uint8_t* rdata = soa_data.data() + 2;
    const std::size_t soa_len = soa_data.size() - 2;
    zone->serial_ = read_u32(rdata + soa_len - 20);
    zone->negative_ttl_ = std::min(soa.ttl, read_u32(rdata + soa_len - 4));
  }
  zone->negative_soa_ = dns::ResponseWriter::prepare(zone->apex(), dns::type::SOA, dns::klass::IN,
                                                     zone->negative_ttl_, soa_data, soa.count);
  zone->services_ = std::move(services_);
  zone->index_.build(
      static_cast<std::uint32_t>(zone->nodes_.size()),
      [&z = *zone](std::uint32_t i) -> std::string_view { return z.nodes_[i].name(); });
  return zone;
}

}  // namespace gslbd::zone
