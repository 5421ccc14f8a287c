// SPDX-License-Identifier: Apache-2.0
// Longest-prefix match from client networks to small integer values, one binary trie per
// address family. Built at load (network by network, or bottom-up from another binary trie such
// as a MaxMind database's); lookups walk it without allocation.
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

  // Nodes in both families (memory: 12 octets each).
  std::size_t nodes() const noexcept { return v4_.size() + v6_.size(); }
  bool empty() const noexcept;

 private:
  struct Node {
    std::uint32_t child[2] = {0, 0};  // 0 = none (node 0 is a root and never a child)
    std::int32_t value = kNone;       // kNone: this node is not a network of its own
  };
  std::vector<Node>& trie(std::uint8_t family) noexcept { return family == 4 ? v4_ : v6_; }
  std::uint32_t child_node(std::vector<Node>& nodes, Subtree half);

  std::vector<Node> v4_{Node{}};
  std::vector<Node> v6_{Node{}};
};

}  // namespace gslbd::geo
