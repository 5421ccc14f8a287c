#include "gslbd/zone/zone_builder.hpp"

#include <algorithm>

#include "gslbd/dns/constants.hpp"
#include "gslbd/dns/name.hpp"

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

ZoneBuilder::ZoneBuilder(std::string_view apex_wire) : apex_(dns::lowercased(apex_wire)) {
  node_for(apex_);
}

Node& ZoneBuilder::node_for(const std::string& lower_name) {
  auto [it, inserted] = index_.try_emplace(lower_name, static_cast<std::uint32_t>(nodes_.size()));
  if (inserted) {
    nodes_.emplace_back();
    nodes_.back().name = lower_name;
  }
  return nodes_[it->second];
}

Node* ZoneBuilder::existing(const std::string& lower_name) {
  const auto it = index_.find(lower_name);
  return it == index_.end() ? nullptr : &nodes_[it->second];
}

std::string ZoneBuilder::add_record(std::string_view owner, std::uint16_t type, std::uint32_t ttl,
                                    std::span<const std::uint8_t> rdata) {
  const std::string name = dns::lowercased(owner);
  if (!dns::is_at_or_below(name, apex_)) {
    return "name " + name_to_text(name) + " is outside the zone " + name_to_text(apex_);
  }
  if (type == dns::type::SOA) return "SOA records come from the zone's soa: section only";
  if (type == dns::type::NS && name == apex_) {
    return "NS records at the apex come from the zone's ns: list only";
  }
  if (is_meta_type(type)) return type_text(type) + " is a meta type and cannot be in a zone";
  if (Node* node = existing(name); node && node->service >= 0) {
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
  Node& node = node_for(name);
  if (node.service >= 0) return "service " + name_to_text(name) + " is defined twice";
  if (!node.rrsets.empty()) {
    return "service " + name_to_text(name) + " also has records; a name is one or the other";
  }
  node.service = static_cast<std::int32_t>(services_.size());
  service.name = name;
  services_.push_back(std::move(service));
  return {};
}

std::string ZoneBuilder::add_to_node(Node& node, std::uint16_t type, std::uint32_t ttl,
                                     std::span<const std::uint8_t> rdata) {
  if (rdata.size() > 0xffff) return "record data longer than 65535 octets";
  const std::string owner = name_to_text(node.name);
  const bool has_cname = node.find(dns::type::CNAME) != nullptr;
  if (type == dns::type::CNAME && has_cname) return "a second CNAME at " + owner;
  if (type == dns::type::CNAME && !node.rrsets.empty()) {
    return "CNAME at " + owner + " beside other data (RFC 1034 section 3.6.2)";
  }
  if (type != dns::type::CNAME && has_cname) {
    return type_text(type) + " at " + owner + " beside a CNAME (RFC 1034 section 3.6.2)";
  }
  auto pos = std::lower_bound(node.rrsets.begin(), node.rrsets.end(), type,
                              [](const RRset& set, std::uint16_t t) { return set.type < t; });
  if (pos == node.rrsets.end() || pos->type != type) {
    pos = node.rrsets.insert(pos, RRset{});
    pos->type = type;
    pos->ttl = ttl;
  } else {
    if (pos->ttl != ttl) {
      return "TTL " + std::to_string(ttl) + " differs from TTL " + std::to_string(pos->ttl) +
             " of the other " + type_text(type) + " records at " + owner +
             " (RFC 2181 section 5.2)";
    }
    std::size_t at = 0;
    while (at < pos->records.size()) {
      const std::size_t len = (std::size_t{pos->records[at]} << 8) | pos->records[at + 1];
      if (len == rdata.size() && std::equal(rdata.begin(), rdata.end(),
                                            pos->records.begin() + static_cast<long>(at + 2))) {
        return "duplicate " + type_text(type) + " record at " + owner;
      }
      at += 2 + len;
    }
    if (pos->count == 0xffff) return "too many records in one RRset at " + owner;
  }
  pos->records.push_back(static_cast<std::uint8_t>(rdata.size() >> 8));
  pos->records.push_back(static_cast<std::uint8_t>(rdata.size() & 0xff));
  pos->records.insert(pos->records.end(), rdata.begin(), rdata.end());
  ++pos->count;
  return {};
}

std::unique_ptr<Zone> ZoneBuilder::build(std::vector<std::string>& errors) {
  const std::size_t errors_before = errors.size();
  const std::string apex_text = name_to_text(apex_);
  if (!has_soa_) errors.push_back("zone " + apex_text + " has no SOA record");
  if (!nodes_[0].find(dns::type::NS)) errors.push_back("zone " + apex_text + " has no apex NS");

  // Empty non-terminals: every name between a node and the apex exists (RFC 4592 relies on it).
  const std::size_t real_nodes = nodes_.size();
  for (std::size_t i = 0; i < real_nodes; ++i) {
    std::string name = nodes_[i].name;
    while (name != apex_) {
      name = std::string(dns::parent_name(name));
      if (existing(name)) break;
      node_for(name);
    }
  }

  // Delegations: a node's cut is the highest NS-owning ancestor below the apex (or itself).
  for (Node& node : nodes_) {
    std::string name = node.name;
    while (name != apex_) {
      const Node* at = existing(name);
      if (at && at->is_delegation_point()) node.cut = index_.at(name);
      name = std::string(dns::parent_name(name));
    }
  }
  for (const Node& node : nodes_) {
    if (node.cut == kNoNode) continue;
    const bool at_cut = index_.at(node.name) == node.cut;
    const std::string cut_text = name_to_text(nodes_[node.cut].name);
    if (node.service >= 0) {
      errors.push_back("service " + name_to_text(node.name) + " is below the delegation at " +
                       cut_text);
    }
    for (const RRset& set : node.rrsets) {
      if (!allowed_below_cut(set.type, at_cut)) {
        errors.push_back(type_text(set.type) + " at " + name_to_text(node.name) +
                         " is below the delegation at " + cut_text +
                         "; only NS, DS and glue (A/AAAA) may be there");
      }
    }
  }
  if (errors.size() != errors_before) return nullptr;

  // Additional-section targets, resolved to node numbers once.
  for (Node& node : nodes_) {
    for (RRset& set : node.rrsets) {
      const int offset = target_offset(set.type);
      if (offset < 0) continue;
      std::size_t at = 0;
      while (at < set.records.size()) {
        const std::size_t len = (std::size_t{set.records[at]} << 8) | set.records[at + 1];
        const std::size_t name_at = at + 2 + static_cast<std::size_t>(offset);
        if (name_at < at + 2 + len) {
          const std::string target = dns::lowercased(std::string_view(
              reinterpret_cast<const char*>(set.records.data() + name_at), at + 2 + len - name_at));
          if (const auto it = index_.find(target); it != index_.end()) {
            const Node& target_node = nodes_[it->second];
            const bool usable = set.type == dns::type::NS || target_node.cut == kNoNode;
            if (usable && std::find(set.additional_nodes.begin(), set.additional_nodes.end(),
                                    it->second) == set.additional_nodes.end()) {
              set.additional_nodes.push_back(it->second);
            }
          }
        }
        at += 2 + len;
      }
    }
  }

  auto zone = std::make_unique<Zone>();
  const RRset& soa = *nodes_[0].find(dns::type::SOA);
  const std::uint8_t* soa_rdata = soa.records.data() + 2;
  const std::size_t soa_len = soa.records.size() - 2;
  if (soa_len >= 20) {
    zone->serial_ = read_u32(soa_rdata + soa_len - 20);
    zone->negative_ttl_ = std::min(soa.ttl, read_u32(soa_rdata + soa_len - 4));
  }
  zone->nodes_ = std::move(nodes_);
  zone->services_ = std::move(services_);
  zone->index_.build(
      static_cast<std::uint32_t>(zone->nodes_.size()),
      [&z = *zone](std::uint32_t i) -> std::string_view { return z.nodes_[i].name; });
  nodes_.clear();
  index_.clear();
  return zone;
}

}  // namespace gslbd::zone
