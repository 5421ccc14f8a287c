// SPDX-License-Identifier: Apache-2.0
// Live TCP connections counted per client network, so that one source cannot hold a worker's
// connection slots. Owned by one worker loop; nothing is allocated after construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gslbd/util/address.hpp"

namespace gslbd::server {

class TcpSourceTable {
 public:
  // Holds up to max_networks networks at once (the worker's connection cap is enough: each live
  // connection is in one network). Addresses are grouped by their first v4_prefix (IPv4) or
  // v6_prefix (IPv6) bits. The hash is keyed with seed, so a client cannot pick addresses that
  // collide.
  TcpSourceTable(std::size_t max_networks, unsigned v4_prefix, unsigned v6_prefix,
                 std::uint64_t seed);

  // The network a client address counts under.
  util::Address network(const util::Address& peer) const noexcept;

  // Counts one more connection for network unless it has `limit` already (0 = no limit) or the
  // table holds max_networks others. Returns whether it was counted.
  bool try_add(const util::Address& network, std::uint32_t limit) noexcept;
  // Uncounts one connection counted by try_add.
  void remove(const util::Address& network) noexcept;

  std::uint32_t count(const util::Address& network) const noexcept;
  std::size_t networks() const noexcept { return used_; }
  std::size_t max_networks() const noexcept { return max_networks_; }
  unsigned v4_prefix() const noexcept { return v4_prefix_; }
  unsigned v6_prefix() const noexcept { return v6_prefix_; }

 private:
  struct Slot {
    util::Address network;
    std::uint32_t count = 0;  // 0 = empty slot
  };

  std::size_t home(const util::Address& network) const noexcept;
  std::size_t find(const util::Address& network) const noexcept;  // its slot or an empty one

  // Linear probing with backward-shift deletion (no tombstones), at most half full, so every
  // probe ends at an empty slot and add/remove cycles never slow it down.
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t used_ = 0;
  std::size_t max_networks_;
  unsigned v4_prefix_;
  unsigned v6_prefix_;
  std::uint64_t seed_;
};

}  // namespace gslbd::server
