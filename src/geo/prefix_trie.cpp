// SPDX-License-Identifier: Apache-2.0
// PrefixTrie: one binary trie per address family, longest-prefix lookup, bottom-up building.
#include "gslbd/geo/prefix_trie.hpp"

#include <algorithm>
#include <stdexcept>

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
  drop_compiled();
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

PrefixTrie::Walked PrefixTrie::walk(const std::vector<Node>& nodes, std::uint32_t node,
                                    unsigned depth, unsigned bits, const util::Address& address,
                                    Match match) noexcept {
  Walked walked;
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
      walked.more = !leaf;
      break;
    }
    const std::uint32_t next = here.child[bit_at(address, depth)];
    if (next == 0) {
      // The next bit leads away from every deeper network: it is part of what decided.
      match.scope = static_cast<std::uint8_t>(depth + 1);
      break;
    }
    node = next;
    ++depth;
  }
  walked.match = match;
  walked.node = node;
  return walked;
}

PrefixTrie::Match PrefixTrie::lookup(const util::Client& client) const noexcept {
  const unsigned width = width_of(client.address.family);
  if (width == 0) return {};
  const bool v4 = client.address.family == 4;
  const std::vector<Node>& nodes = v4 ? v4_ : v6_;
  // Bounded by the family's width, whatever shape a bottom-up build gave the trie.
  const unsigned bits = client.prefix < width ? client.prefix : width;
  const std::vector<Slot>& slots = strided_[v4 ? 0 : 1];
  if (!slots.empty()) return strided_lookup(slots, nodes, client.address, width, bits);
  return walk(nodes, 0, 0, bits, client.address, Match{}).match;
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
  drop_compiled();
  if (zero.uniform && one.uniform && zero.value == one.value) return uniform(zero.value);
  std::vector<Node>& nodes = trie(family);
  Node node;
  node.child[0] = child_node(nodes, zero);
  node.child[1] = child_node(nodes, one);
  nodes.push_back(node);
  return {false, kNone, static_cast<std::uint32_t>(nodes.size() - 1)};
}

void PrefixTrie::set_root(std::uint8_t family, Subtree root) {
  drop_compiled();
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

void PrefixTrie::drop_compiled() noexcept {
  strided_[0].clear();
  strided_[0].shrink_to_fit();
  strided_[1].clear();
  strided_[1].shrink_to_fit();
}

// Bits per strided step at each depth: two wide steps cover the first 16 bits (a root of 256
// slots and at most 256 children of 256), then narrow ones keep sparse regions small. Every
// step starts on a nibble, which the lookup relies on.
unsigned PrefixTrie::stride_at(unsigned depth) noexcept {
  return depth < 16 ? 8u : 4u;
}

std::uint32_t PrefixTrie::compile_node(std::uint8_t family, std::uint32_t node, unsigned depth,
                                       Match match) {
  const unsigned width = width_of(family);
  const unsigned stride = std::min(stride_at(depth), width - depth);
  std::vector<Slot>& slots = strided_[family == 4 ? 0 : 1];
  const std::vector<Node>& nodes = family == 4 ? v4_ : v6_;
  if (slots.size() > slot_limit_) throw std::length_error("strided form too large");
  const auto offset = static_cast<std::uint32_t>(slots.size());
  slots.resize(slots.size() + 2 + (std::size_t{1} << stride));
  slots[offset].value = match.value;
  slots[offset].link = match.prefix;
  slots[offset + 1].link = node;
  for (std::uint32_t chunk = 0; chunk < (1u << stride); ++chunk) {
    // The bits of this step, at their place in an address.
    util::Address address;
    address.family = family;
    for (unsigned i = 0; i < stride; ++i) {
      if ((chunk >> (stride - 1 - i)) & 1u) {
        const unsigned bit = depth + i;
        address.bytes[bit / 8] =
            static_cast<std::uint8_t>(address.bytes[bit / 8] | (0x80u >> (bit % 8)));
      }
    }
    const Walked walked = walk(nodes, node, depth, depth + stride, address, match);
    Slot slot;
    if (walked.more && depth + stride < width) {
      const std::uint32_t child = compile_node(family, walked.node, depth + stride, walked.match);
      slot.link = child;
    } else {
      slot.value = walked.match.value;
      slot.link = kAnswer | (std::uint32_t{walked.match.prefix} << 8) | walked.match.scope;
    }
    // compile_node may have grown the vector: index again.
    slots[offset + 2 + chunk] = slot;
  }
  return offset;
}

bool PrefixTrie::compile() {
  drop_compiled();
  // In a tree, a narrow step of 18 slots stands for at least 4 binary nodes, and there are at
  // most 2 x 257 wide steps of 258 slots. Much more means a graph-shaped trie (shared
  // subtrees), whose expansion must not grow unbounded.
  slot_limit_ = std::min<std::size_t>(8 * (v4_.size() + v6_.size()) + 2 * 257 * 258, kAnswer - 1);
  try {
    compile_node(4, 0, 0, Match{});
    compile_node(6, 0, 0, Match{});
  } catch (const std::length_error&) {
    drop_compiled();
    return false;
  }
  return true;
}

PrefixTrie::Match PrefixTrie::strided_lookup(const std::vector<Slot>& slots,
                                             const std::vector<Node>& nodes,
                                             const util::Address& address, unsigned width,
                                             unsigned bits) const noexcept {
  std::uint32_t offset = 0;
  unsigned depth = 0;
  for (;;) {
    const unsigned stride = std::min(stride_at(depth), width - depth);
    if (depth + stride > bits) {
      // The client's bits end inside this step: the binary walk from the node it stands for.
      Match match;
      match.value = slots[offset].value;
      match.prefix = static_cast<std::uint8_t>(slots[offset].link);
      return walk(nodes, slots[offset + 1].link, depth, bits, address, match).match;
    }
    // Steps start on a nibble (stride 4) or an octet (stride 8).
    const std::uint8_t octet = address.bytes[depth / 8];
    const std::uint32_t chunk = stride == 8 ? octet : depth % 8 == 0 ? octet >> 4 : octet & 0x0fu;
    const Slot& slot = slots[offset + 2 + chunk];
    if (slot.link & kAnswer) {
      Match match;
      match.value = slot.value;
      match.prefix = static_cast<std::uint8_t>(slot.link >> 8);
      match.scope = static_cast<std::uint8_t>(slot.link);
      return match;
    }
    offset = slot.link;
    depth += stride;
  }
}

bool PrefixTrie::empty() const noexcept {
  const auto bare = [](const std::vector<Node>& nodes) {
    return nodes.size() == 1 && nodes[0].value == kNone && nodes[0].child[0] == 0 &&
           nodes[0].child[1] == 0;
  };
  return bare(v4_) && bare(v6_);
}

}  // namespace gslbd::geo
