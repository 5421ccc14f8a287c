// SPDX-License-Identifier: Apache-2.0
// PrefixTrie: one binary trie per address family, longest-prefix lookup, bottom-up building.
#include "gslbd/geo/prefix_trie.hpp"

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

bool PrefixTrie::insert(const util::Address& network, unsigned prefix, std::int32_t value) {
  const unsigned width = width_of(network.family);
  if (width == 0 || prefix > width) return false;
  std::vector<Node>& nodes = trie(network.family);
  std::uint32_t node = 0;
  for (unsigned i = 0; i < prefix; ++i) {
    const unsigned bit = bit_at(network, i);
    if (nodes[node].child[bit] == 0) {
      // Indices, not references: push_back may move the nodes.
      nodes.push_back(Node{});
      nodes[node].child[bit] = static_cast<std::uint32_t>(nodes.size() - 1);
    }
    node = nodes[node].child[bit];
  }
  if (nodes[node].value != kNone) return nodes[node].value == value;
  nodes[node].value = value;
  return true;
}

PrefixTrie::Match PrefixTrie::lookup(const util::Client& client) const noexcept {
  Match match;
  const unsigned width = width_of(client.address.family);
  if (width == 0) return match;
  const std::vector<Node>& nodes = client.address.family == 4 ? v4_ : v6_;
  // Bounded by the family's width, whatever shape a bottom-up build gave the trie.
  const unsigned bits = client.prefix < width ? client.prefix : width;

  std::uint32_t node = 0;
  unsigned depth = 0;
  for (;;) {
    const Node& here = nodes[node];
    if (here.value != kNone) {
      match.value = here.value;
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

std::uint32_t PrefixTrie::child_node(std::vector<Node>& nodes, Subtree half) {
  if (!half.uniform) return half.node;
  // A uniform half without a value needs no node: a bottom-up build gives its ancestors no
  // value of their own, so the lookup finds none there either.
  if (half.value == kNone) return 0;
  Node leaf;
  leaf.value = half.value;
  nodes.push_back(leaf);
  return static_cast<std::uint32_t>(nodes.size() - 1);
}

PrefixTrie::Subtree PrefixTrie::join(std::uint8_t family, Subtree zero, Subtree one) {
  if (zero.uniform && one.uniform && zero.value == one.value) return uniform(zero.value);
  std::vector<Node>& nodes = trie(family);
  Node node;
  node.child[0] = child_node(nodes, zero);
  node.child[1] = child_node(nodes, one);
  nodes.push_back(node);
  return {false, kNone, static_cast<std::uint32_t>(nodes.size() - 1)};
}

void PrefixTrie::set_root(std::uint8_t family, Subtree root) {
  std::vector<Node>& nodes = trie(family);
  if (root.uniform) {
    // Node 0 may already be the root of an earlier build: start the family over.
    nodes.assign(1, Node{});
    nodes[0].value = root.value;
    return;
  }
  // The root must sit at index 0, which a bottom-up build reserved (the first node is never a
  // child). Move the built root there.
  nodes[0] = nodes[root.node];
}

bool PrefixTrie::empty() const noexcept {
  const auto bare = [](const std::vector<Node>& nodes) {
    return nodes.size() == 1 && nodes[0].value == kNone && nodes[0].child[0] == 0 &&
           nodes[0].child[1] == 0;
  };
  return bare(v4_) && bare(v6_);
}

}  // namespace gslbd::geo
