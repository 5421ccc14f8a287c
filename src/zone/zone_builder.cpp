#include "gslbd/zone/zone_builder.hpp"

#include <algorithm>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"
#include "gslbd/zone/name_index.hpp"

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

std::string type_text(std::uint16_t type) {
  switch (type) {
    case dns::type::A:
      return "A";
    case dns::type::NS:
      return "NS";
    case dns::type::CNAME:
      return "CNAME";
    case dns::type::MX:
      return "MX";
    case dns::type::TXT:
      return "TXT";
    case dns::type::AAAA:
      return "AAAA";
    case dns::type::SRV:
      return "SRV";
    default:
      return "TYPE" + std::to_string(type);
  }
}

}  // namespace

bool Node::is_delegation_point() const noexcept {
  return find(dns::type::NS) != nullptr;
}

const ZoneBuilder::DraftRRset* ZoneBuilder::DraftNode::find(std::uint16_t type) const noexcept {
  for (const DraftRRset& set : rrsets) {
    if (set.type == type) return &set;
  }
  return nullptr;
}

std::uint32_t ZoneBuilder::DraftIndex::find(std::string_view name,
                                            const std::vector<DraftNode>& nodes) const noexcept {
  if (slots_.empty()) return kNoNode;
  const auto tag = static_cast<std::uint32_t>(NameIndex::hash(name));
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = tag & mask;; i = (i + 1) & mask) {
    const std::uint64_t slot = slots_[i];
    if (slot == 0) return kNoNode;
    const auto number = static_cast<std::uint32_t>(slot) - 1;
    if ((slot >> 32) == tag && nodes[number].name == name) return number;
  }
}

void ZoneBuilder::DraftIndex::insert(std::string_view name, std::uint32_t number) {
  if ((used_ + 1) * 2 > slots_.size()) grow();
  const auto tag = static_cast<std::uint32_t>(NameIndex::hash(name));
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = tag & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = (std::uint64_t{tag} << 32) | (std::uint64_t{number} + 1);
  ++used_;
}

void ZoneBuilder::DraftIndex::grow() {
  std::vector<std::uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, 0);
  const std::size_t mask = slots_.size() - 1;
  for (const std::uint64_t slot : old) {
    if (slot == 0) continue;
    std::size_t i = (slot >> 32) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

ZoneBuilder::ZoneBuilder(std::string_view apex_wire) : apex_(dns::lowercased(apex_wire)) {
  node_for(apex_);
}

ZoneBuilder::DraftNode& ZoneBuilder::node_for(std::string_view lower_name) {
  const std::uint32_t number = index_.find(lower_name, nodes_);
  if (number != kNoNode) return nodes_[number];
  const auto added = static_cast<std::uint32_t>(nodes_.size());
  nodes_.emplace_back();
  nodes_.back().name = std::string(lower_name);
  index_.insert(nodes_.back().name, added);
  return nodes_.back();
}

ZoneBuilder::DraftNode* ZoneBuilder::existing(std::string_view lower_name) {
  const std::uint32_t number = index_.find(lower_name, nodes_);
  return number == kNoNode ? nullptr : &nodes_[number];
}

std::uint32_t ZoneBuilder::number_of(std::string_view lower_name) const noexcept {
  return index_.find(lower_name, nodes_);
}

std::string ZoneBuilder::add_record(std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                                    std::span<const std::uint8_t> rdata) {
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
  if (is_meta_type(type)) return type_text(type) + " is a meta type and cannot be in a zone";
  if (DraftNode* node = existing(name); node && node->service >= 0) {
    return "name " + name_to_text(name) + " is a service and cannot also carry records";
  }
  return add_to_node(node_for(name), type, ttl, rdata);
}

std::string ZoneBuilder::set_soa(std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
  if (has_soa_) return "the zone has a second SOA record";
  has_soa_ = true;
  return add_to_node(nodes_[0], dns::type::SOA, ttl, rdata);
}

std::string ZoneBuilder::add_apex_ns(std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
  return add_to_node(nodes_[0], dns::type::NS, ttl, rdata);
}

std::string ZoneBuilder::add_service(std::string_view owner, std::string pool, std::uint32_t ttl) {
  Service service;
  service.name = std::string(owner);
  service.pool = std::move(pool);
  service.ttl = ttl;
  service.degraded_ttl = ttl;
  return add_service(std::move(service));
}

std::string ZoneBuilder::add_service(Service service) {
  const std::string name = dns::lowercased(service.name);
  if (!dns::is_at_or_below(name, apex_)) {
    return "service " + name_to_text(name) + " is outside the zone " + name_to_text(apex_);
  }
  DraftNode& node = node_for(name);
  if (node.service >= 0) return "service " + name_to_text(name) + " is defined twice";
  if (!node.rrsets.empty()) {
    return "service " + name_to_text(name) + " also has records; a name is one or the other";
  }
  node.service = static_cast<std::int32_t>(services_.size());
  service.name = name;
  services_.push_back(std::move(service));
  return {};
}

std::string ZoneBuilder::add_to_node(DraftNode& node, std::uint16_t type, std::uint32_t ttl,
                                     std::span<const std::uint8_t> rdata) {
  if (rdata.size() > 0xffff) return "record data longer than 65535 octets";
  // Only for messages: most records are fine, and a million of them should not format a name.
  const auto owner = [&node] { return name_to_text(node.name); };
  const bool has_cname = node.find(dns::type::CNAME) != nullptr;
  if (type == dns::type::CNAME && has_cname) return "a second CNAME at " + owner();
  if (type == dns::type::CNAME && !node.rrsets.empty()) {
    return "CNAME at " + owner() + " beside other data (RFC 1034 section 3.6.2)";
  }
  if (type != dns::type::CNAME && has_cname) {
    return type_text(type) + " at " + owner() + " beside a CNAME (RFC 1034 section 3.6.2)";
  }
  auto pos = std::lower_bound(node.rrsets.begin(), node.rrsets.end(), type,
                              [](const DraftRRset& set, std::uint16_t t) { return set.type < t; });
  if (pos == node.rrsets.end() || pos->type != type) {
    pos = node.rrsets.insert(pos, DraftRRset{});
    pos->type = type;
    pos->ttl = ttl;
  } else {
    if (pos->ttl != ttl) {
      return "TTL " + std::to_string(ttl) + " differs from TTL " + std::to_string(pos->ttl) +
             " of the other " + type_text(type) + " records at " + owner() +
             " (RFC 2181 section 5.2)";
    }
    std::size_t at = 0;
    while (at < pos->records.size()) {
      const std::size_t len = (std::size_t{pos->records[at]} << 8) | pos->records[at + 1];
      if (len == rdata.size() && std::equal(rdata.begin(), rdata.end(),
                                            pos->records.begin() + static_cast<long>(at + 2))) {
        return "duplicate " + type_text(type) + " record at " + owner();
      }
      at += 2 + len;
    }
    if (pos->count == 0xffff) return "too many records in one RRset at " + owner();
  }
  pos->records.push_back(static_cast<std::uint8_t>(rdata.size() >> 8));
  pos->records.push_back(static_cast<std::uint8_t>(rdata.size() & 0xff));
  pos->records.insert(pos->records.end(), rdata.begin(), rdata.end());
  ++pos->count;
  return {};
}

void ZoneBuilder::link_delegations() {
  // A node's cut is the highest NS-owning ancestor below the apex (or itself). Most zones
  // delegate nothing; then there is nothing to walk.
  const bool delegates = std::any_of(nodes_.begin() + 1, nodes_.end(), [](const DraftNode& node) {
    return node.find(dns::type::NS) != nullptr;
  });
  if (!delegates) return;
  for (DraftNode& node : nodes_) {
    std::string_view name = node.name;
    while (name != apex_) {
      const std::uint32_t at = number_of(name);
      if (at != kNoNode && nodes_[at].find(dns::type::NS)) node.cut = at;
      name = dns::parent_name(name);
    }
  }
}

void ZoneBuilder::link_additional_targets() {
  for (DraftNode& node : nodes_) {
    for (DraftRRset& set : node.rrsets) {
      const int offset = target_offset(set.type);
      if (offset < 0) continue;
      std::size_t at = 0;
      while (at < set.records.size()) {
        const std::size_t len = (std::size_t{set.records[at]} << 8) | set.records[at + 1];
        const std::size_t name_at = at + 2 + static_cast<std::size_t>(offset);
        if (name_at < at + 2 + len) {
          const std::string target = dns::lowercased(std::string_view(
              reinterpret_cast<const char*>(set.records.data() + name_at), at + 2 + len - name_at));
          if (const std::uint32_t found = number_of(target); found != kNoNode) {
            const DraftNode& target_node = nodes_[found];
            const bool usable = set.type == dns::type::NS || target_node.cut == kNoNode;
            if (usable && std::find(set.additional_nodes.begin(), set.additional_nodes.end(),
                                    found) == set.additional_nodes.end()) {
              set.additional_nodes.push_back(found);
            }
          }
        }
        at += 2 + len;
      }
    }
  }
}

std::unique_ptr<Zone> ZoneBuilder::build(std::vector<std::string>& errors) {
  const std::size_t errors_before = errors.size();
  const std::string apex_text = name_to_text(apex_);
  if (!has_soa_) errors.push_back("zone " + apex_text + " has no SOA record");
  if (!nodes_[0].find(dns::type::NS)) errors.push_back("zone " + apex_text + " has no apex NS");

  // Empty non-terminals: every name between a node and the apex exists (RFC 4592 relies on it).
  const std::size_t real_nodes = nodes_.size();
  for (std::size_t i = 0; i < real_nodes; ++i) {
    std::string name = nodes_[i].name;  // a copy: node_for may move nodes_
    while (name != apex_) {
      name = std::string(dns::parent_name(name));
      if (existing(name)) break;
      node_for(name);
    }
  }

  link_delegations();
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const DraftNode& node = nodes_[i];
    if (node.cut == kNoNode) continue;
    const bool at_cut = i == node.cut;
    const std::string cut_text = name_to_text(nodes_[node.cut].name);
    if (node.service >= 0) {
      errors.push_back("service " + name_to_text(node.name) + " is below the delegation at " +
                       cut_text);
    }
    for (const DraftRRset& set : node.rrsets) {
      if (!allowed_below_cut(set.type, at_cut)) {
        errors.push_back(type_text(set.type) + " at " + name_to_text(node.name) +
                         " is below the delegation at " + cut_text +
                         "; only NS, DS and glue (A/AAAA) may be there");
      }
    }
  }
  if (errors.size() != errors_before) return nullptr;
  link_additional_targets();
  return flatten();
}

std::unique_ptr<Zone> ZoneBuilder::flatten() {
  auto zone = std::make_unique<Zone>();
  std::size_t name_octets = 0;
  std::size_t rrsets = 0;
  std::size_t rdata_octets = 0;
  std::size_t additional = 0;
  for (const DraftNode& node : nodes_) {
    name_octets += 1 + node.name.size();
    rrsets += node.rrsets.size();
    for (const DraftRRset& set : node.rrsets) {
      rdata_octets += set.records.size();
      additional += set.additional_nodes.size();
    }
  }
  // Sized once and never resized again, so the views below stay valid.
  zone->nodes_.resize(nodes_.size());
  zone->names_.resize(name_octets);
  zone->rrsets_.resize(rrsets);
  zone->rdata_.resize(rdata_octets);
  zone->additional_.resize(additional);
  std::uint8_t* name_at = zone->names_.data();
  RRset* rrset_at = zone->rrsets_.data();
  std::uint8_t* rdata_at = zone->rdata_.data();
  std::uint32_t* additional_at = zone->additional_.data();
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    DraftNode& draft = nodes_[i];
    Node& node = zone->nodes_[i];
    node.cut = draft.cut;
    node.service = draft.service;
    node.name_ = name_at;
    *name_at++ = static_cast<std::uint8_t>(draft.name.size());
    name_at = std::copy(draft.name.begin(), draft.name.end(), name_at);
    node.rrsets_ = rrset_at;
    node.rrset_count_ = static_cast<std::uint32_t>(draft.rrsets.size());
    for (const DraftRRset& set : draft.rrsets) {
      RRset& out = *rrset_at++;
      out.type = set.type;
      out.count = set.count;
      out.ttl = set.ttl;
      out.records_ = rdata_at;
      out.records_size_ = static_cast<std::uint32_t>(set.records.size());
      rdata_at = std::copy(set.records.begin(), set.records.end(), rdata_at);
      out.additional_ = additional_at;
      out.additional_count_ = static_cast<std::uint32_t>(set.additional_nodes.size());
      additional_at =
          std::copy(set.additional_nodes.begin(), set.additional_nodes.end(), additional_at);
    }
    draft = DraftNode{};  // the copy is made: give the memory back as we go
  }

  const RRset& soa = *zone->nodes_[0].find(dns::type::SOA);
  const std::span<const std::uint8_t> soa_data = soa.records();
  if (soa_data.size() >= 22) {
    const std::uint8_t* rdata = soa_data.data() + 2;
    const std::size_t soa_len = soa_data.size() - 2;
    zone->serial_ = read_u32(rdata + soa_len - 20);
    zone->negative_ttl_ = std::min(soa.ttl, read_u32(rdata + soa_len - 4));
  }
  zone->services_ = std::move(services_);
  zone->index_.build(
      static_cast<std::uint32_t>(zone->nodes_.size()),
      [&z = *zone](std::uint32_t i) -> std::string_view { return z.nodes_[i].name(); });
  nodes_.clear();
  index_ = DraftIndex{};
  return zone;
}

}  // namespace gslbd::zone
