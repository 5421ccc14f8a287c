// SPDX-License-Identifier: Apache-2.0
// Client network -> region, by longest prefix match over a CIDR table (IPv4 and IPv6). Built
// once at load; lookups walk a compact binary trie without allocation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gslbd/util/address.hpp"

namespace gslbd::geo {

struct GeoMatch {
  std::int32_t region = -1;  // index into GeoMap::regions(), -1 = no network matched
  std::uint8_t prefix = 0;   // length of the matched network (0 when none matched)
  // Leading client bits that decided this result: every client sharing them gets the same
  // match. This is the ECS scope an answer derived from the match justifies. It is >= prefix:
  // when a more specific network sits under the matched one (10/8 with 10.1/16 inside), a
  // 10.2.3.4 client matches the /8, but only clients in 10.2.0.0/15 (where it parts from
  // 10.1/16: scope 15) are sure to match it too, not all of 10/8. A client matching nothing
  // still gets the bits that kept it out of every network, so its answer (default order) is
  // not cached for networks that are in a region.
  std::uint8_t scope = 0;
};

class GeoMap {
 public:
  // Adds a network; a network given twice with different regions is refused (returns false),
  // as are a family other than 4/6 and a prefix longer than the family's width. Host bits past
  // the prefix are ignored. The same network given twice with the same region is accepted.
  bool add(const util::Address& network, unsigned prefix, const std::string& region);

  // Longest-prefix match of the first `client.prefix` bits of the client's address. Only
  // networks no longer than client.prefix can match: the bits an ECS client did not reveal are
  // zero, and matching them against a more specific network would be arbitrary (a /16 client
  // must not land in whichever /24 happens to be x.y.0.0/24). So scope <= client.prefix too.
  // Address family 0, or a family with no networks, yields region -1.
  GeoMatch lookup(const util::Client& client) const noexcept;

  const std::vector<std::string>& regions() const noexcept { return regions_; }
  std::int32_t region_index(const std::string& name) const noexcept;

 private:
  struct TrieNode {
    std::uint32_t child[2] = {0, 0};  // 0 = none (node 0 is a root and never a child)
    std::int32_t region = -1;
  };
  std::vector<TrieNode> v4_{TrieNode{}};
  std::vector<TrieNode> v6_{TrieNode{}};
  std::vector<std::string> regions_;
};

}  // namespace gslbd::geo
