// SPDX-License-Identifier: Apache-2.0
// GeoMap: CIDR networks in one binary trie per address family, longest-prefix lookup.
#include "gslbd/geo/geo_map.hpp"

namespace gslbd::geo {

namespace {

unsigned width_of(std::uint8_t family) noexcept {
  return family == 4 ? 32u : family == 6 ? 128u : 0u;
}

// Bit i of the address, counting from the most significant bit of the first octet.
unsigned bit_at(const util::Address& address, unsigned i) noexcept {
  return (address.bytes[i / 8] >> (7 - i % 8)) & 1u;
}

}  // namespace

bool GeoMap::add(const util::Address& network, unsigned prefix, const std::string& region) {
  const unsigned width = width_of(network.family);
  if (width == 0 || prefix > width) return false;

  std::int32_t region_id = region_index(region);
  std::vector<TrieNode>& trie = network.family == 4 ? v4_ : v6_;

  std::uint32_t node = 0;
  for (unsigned i = 0; i < prefix; ++i) {
    const unsigned bit = bit_at(network, i);
    if (trie[node].child[bit] == 0) {
      // Indices, not references: push_back may move the nodes.
      trie.push_back(TrieNode{});
      trie[node].child[bit] = static_cast<std::uint32_t>(trie.size() - 1);
    }
    node = trie[node].child[bit];
  }

  if (trie[node].region >= 0) return region_id == trie[node].region;
  if (region_id < 0) {
    regions_.push_back(region);
    region_id = static_cast<std::int32_t>(regions_.size() - 1);
  }
  trie[node].region = region_id;
  return true;
}

GeoMatch GeoMap::lookup(const util::Client& client) const noexcept {
  GeoMatch match;
  const unsigned width = width_of(client.address.family);
  if (width == 0) return match;
  const std::vector<TrieNode>& trie = client.address.family == 4 ? v4_ : v6_;
  const unsigned bits = client.prefix < width ? client.prefix : width;

  std::uint32_t node = 0;
  unsigned depth = 0;
  for (;;) {
    const TrieNode& here = trie[node];
    if (here.region >= 0) {
      match.region = here.region;
      match.prefix = static_cast<std::uint8_t>(depth);
    }
    const bool leaf = here.child[0] == 0 && here.child[1] == 0;
    if (leaf || depth == bits) {
      // Nothing below this node can change the result for clients sharing these bits (a
      // leaf), or the client revealed no more bits (networks deeper are not considered).
      match.scope = static_cast<std::uint8_t>(depth);
      break;
    }
    const std::uint32_t next = here.child[bit_at(client.address, depth)];
    if (next == 0) {
      // The next bit leads away from every deeper network: it is part of what decided.
      match.scope = static_cast<std::uint8_t>(depth + 1);
      break;
    }
    node = next;
    ++depth;
  }
  return match;
}

std::int32_t GeoMap::region_index(const std::string& name) const noexcept {
  for (std::size_t i = 0; i < regions_.size(); ++i) {
    if (regions_[i] == name) return static_cast<std::int32_t>(i);
  }
  return -1;
}

}  // namespace gslbd::geo
