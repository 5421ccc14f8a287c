// SPDX-License-Identifier: Apache-2.0
// Longest-prefix match from client networks to small integer values, one binary trie per
// address family. Built at load (network by network, or bottom-up from another binary trie such
// as a MaxMind database's); lookups walk it without allocation. A large trie is compiled into a
// strided form (8, 8, then 4 bits per step, each step's answers precomputed) so that a lookup
// touches a handful of nodes rather than one per bit: in a database of a million networks each
// bit of a binary walk is a cache miss.
#pragma once

#include <cstdint>
#include <vector>

#include "gslbd/util/address.hpp"

namespace gslbd::geo {

class PrefixTrie {
 public:
  static constexpr std::int32_t kNone = -1;

  struct Match {
    std::int32_t value = kNone;  // kNone when no network matched
    std::uint8_t prefix = 0;     // length of the matched network (0 when none matched)
    // Leading client bits that decided this result: every client sharing them gets the same
    // match (see GeoMatch::scope).
    std::uint8_t scope = 0;
  };

  // Sets the value of a network (host bits past the prefix are ignored). A network that
  // already has another value is refused (returns false); the same value again is accepted, as
  // are a family other than 4/6 or a prefix longer than the family's width (refused).
  bool insert(const util::Address& network, unsigned prefix, std::int32_t value);

  // Longest-prefix match of the first `client.prefix` bits of the client's address; only
  // networks no longer than client.prefix can match, so scope <= client.prefix.
  Match lookup(const util::Client& client) const noexcept;

  // Bottom-up building, children before parents (a post-order walk of another binary trie).
  // A subtree is either uniform (every address in it has one value, kNone included) or a node.
  struct Subtree {
    bool uniform = true;
    std::int32_t value = kNone;
    std::uint32_t node = 0;
  };
  static Subtree uniform(std::int32_t value) noexcept { return {true, value, 0}; }
  // The subtree whose halves are `zero` and `one` (the next bit 0 or 1). Two uniform halves of
  // one value merge into one uniform subtree: adjacent networks of one value become one.
  Subtree join(std::uint8_t family, Subtree zero, Subtree one);
  // Makes `root` the whole trie of the family, replacing what it held.
  void set_root(std::uint8_t family, Subtree root);

  // Builds the strided form that lookup then uses; any later change drops it again (lookups
  // then walk the binary trie, with the same results). Returns false, leaving the trie binary,
  // when the strided form would be far larger than the trie (a graph-shaped build).
  bool compile();
  bool compiled() const noexcept { return !strided_[0].empty() || !strided_[1].empty(); }
  // Forgets the strided form: lookups walk the binary trie again (tests compare the two).
  void drop_compiled() noexcept;

  // Nodes in both families (memory: 12 octets each), and the strided form's slots (8 each).
  std::size_t nodes() const noexcept { return v4_.size() + v6_.size(); }
  std::size_t slots() const noexcept { return strided_[0].size() + strided_[1].size(); }
  bool empty() const noexcept;

 private:
  struct Node {
    std::uint32_t child[2] = {0, 0};  // 0 = none (node 0 is a root and never a child)
    std::int32_t value = kNone;       // kNone: this node is not a network of its own
  };
  // Where a binary walk stopped: at the client's last bit on a node with more below
  // (`more`), or for good (a leaf, or no child for the next bit).
  struct Walked {
    Match match;
    bool more = false;
    std::uint32_t node = 0;
  };
  // A strided node is a header of two slots (the match so far; the binary node it stands for)
  // and 2^stride slots, one per value of its next bits: an answer, or the offset of a child.
  struct Slot {
    std::int32_t value = kNone;
    std::uint32_t link = 0;  // kAnswer | prefix << 8 | scope, or a child's offset
  };
  static constexpr std::uint32_t kAnswer = 0x80000000u;

  std::vector<Node>& trie(std::uint8_t family) noexcept { return family == 4 ? v4_ : v6_; }
  std::uint32_t child_node(std::vector<Node>& nodes, Subtree half);
  static unsigned stride_at(unsigned depth) noexcept;
  static Walked walk(const std::vector<Node>& nodes, std::uint32_t node, unsigned depth,
                     unsigned bits, const util::Address& address, Match match) noexcept;
  std::uint32_t compile_node(std::uint8_t family, std::uint32_t node, unsigned depth, Match match);
  Match strided_lookup(const std::vector<Slot>& slots, const std::vector<Node>& nodes,
                       const util::Address& address, unsigned width, unsigned bits) const noexcept;

  std::vector<Node> v4_{Node{}};
  std::vector<Node> v6_{Node{}};
  std::vector<Slot> strided_[2];  // IPv4, IPv6; empty = not compiled
  std::size_t slot_limit_ = 0;    // while compiling
};

}  // namespace gslbd::geo
