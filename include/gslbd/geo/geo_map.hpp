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
  std::uint8_t prefix = 0;   // length of the matched network: the ECS scope it justifies
};

class GeoMap {
 public:
  // Adds a network; a network given twice with different regions is refused (returns false).
  bool add(const util::Address& network, unsigned prefix, const std::string& region);

  // Longest-prefix match of the first `client.prefix` bits of the client's address.
  // When the client's own prefix is shorter than the matched network, the match still counts
  // and the scope is the network's prefix (RFC 7871 allows scope > source prefix).
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
