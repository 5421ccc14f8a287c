// SPDX-License-Identifier: Apache-2.0
#include <cstring>

#include "gslbd/dns/name.hpp"
#include "gslbd/zone/zone.hpp"

namespace gslbd::zone {

Location Zone::locate(std::string_view lower_wire, std::uint16_t qtype) const noexcept {
  Location at;
  const std::uint32_t index = find(lower_wire);
  if (index != kNoNode) {
    const Node& node = nodes_[index];
    at.encloser = index;
    at.cut = node.cut;
    const bool parent_side = index == node.cut && qtype == dns::type::DS;
    if (node.cut != kNoNode && !parent_side) {
      at.where = Where::delegation;
      at.node = node.cut;
      return at;
    }
    at.where = node.empty_non_terminal() ? Where::empty_nonterminal : Where::exact;
    at.node = index;
    return at;
  }
  // The closest encloser always exists for a name of the zone: names end at the apex, and every
  // name between a record's owner and the apex is a node (empty non-terminals included).
  std::string_view encloser = lower_wire;
  std::uint32_t encloser_index = kNoNode;
  while (encloser_index == kNoNode && encloser.size() > apex().size()) {
    encloser = dns::parent_name(encloser);
    encloser_index = find(encloser);
  }
  if (encloser_index == kNoNode) return at;
  const Node& closest = nodes_[encloser_index];
  at.encloser = encloser_index;
  at.cut = closest.cut;
  if (closest.cut != kNoNode) {
    at.where = Where::delegation;
    at.node = closest.cut;
    return at;
  }
  // Nothing lives below a DNAME owner (the zone builder refuses it), so the owner is the
  // closest encloser of every name the DNAME rewrites.
  if (closest.find(dns::type::DNAME) != nullptr) {
    at.where = Where::dname;
    at.node = encloser_index;
    return at;
  }
  // RFC 4592: the source of synthesis is "*" directly below the closest encloser.
  if (encloser.size() + 2 <= dns::kMaxNameWire) {
    char wildcard[dns::kMaxNameWire];
    wildcard[0] = 1;
    wildcard[1] = '*';
    std::memcpy(wildcard + 2, encloser.data(), encloser.size());
    const std::uint32_t source = find(std::string_view(wildcard, encloser.size() + 2));
    if (source != kNoNode) {
      at.where = Where::wildcard;
      at.node = source;
    }
  }
  return at;
}

}  // namespace gslbd::zone
