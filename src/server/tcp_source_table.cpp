// SPDX-License-Identifier: Apache-2.0
#include "tcp_source_table.hpp"

namespace gslbd::server {
namespace {

std::uint64_t mix(std::uint64_t x) noexcept {  // the splitmix64 finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

TcpSourceTable::TcpSourceTable(std::size_t max_networks, unsigned v4_prefix, unsigned v6_prefix,
                               std::uint64_t seed)
    : max_networks_(max_networks == 0 ? 1 : max_networks),
      v4_prefix_(v4_prefix),
      v6_prefix_(v6_prefix),
      seed_(seed) {
  std::size_t capacity = 8;
  while (capacity < 2 * max_networks_) capacity *= 2;
  slots_.resize(capacity);
  mask_ = capacity - 1;
}

util::Address TcpSourceTable::network(const util::Address& peer) const noexcept {
  return util::masked(peer, peer.family == 4 ? v4_prefix_ : v6_prefix_);
}

std::size_t TcpSourceTable::home(const util::Address& network) const noexcept {
  std::uint64_t h = seed_ ^ network.family;
  for (std::size_t i = 0; i < 16; i += 8) {
    std::uint64_t word = 0;
    for (std::size_t j = 0; j < 8; ++j) word = (word << 8) | network.bytes[i + j];
    h = mix(h ^ word);
  }
  return static_cast<std::size_t>(h) & mask_;
}

std::size_t TcpSourceTable::find(const util::Address& network) const noexcept {
  std::size_t i = home(network);
  while (slots_[i].count != 0 && !(slots_[i].network == network)) i = (i + 1) & mask_;
  return i;
}

bool TcpSourceTable::try_add(const util::Address& network, std::uint32_t limit) noexcept {
  Slot& slot = slots_[find(network)];
  if (slot.count == 0) {
    if (used_ >= max_networks_) return false;
    slot.network = network;
    ++used_;
  } else if (limit != 0 && slot.count >= limit) {
    return false;
  }
  ++slot.count;
  return true;
}

void TcpSourceTable::remove(const util::Address& network) noexcept {
  std::size_t hole = find(network);
  if (slots_[hole].count == 0) return;
  if (--slots_[hole].count != 0) return;
  --used_;
  // Shift later members of the probe run back into the hole, so lookups need no tombstones: a
  // slot may move into the hole when its home does not lie cyclically in (hole, slot].
  for (std::size_t i = (hole + 1) & mask_; slots_[i].count != 0; i = (i + 1) & mask_) {
    const std::size_t h = home(slots_[i].network);
    const bool home_after_hole = hole <= i ? (hole < h && h <= i) : (hole < h || h <= i);
    if (home_after_hole) continue;
    slots_[hole] = slots_[i];
    slots_[i].count = 0;
    hole = i;
  }
}

std::uint32_t TcpSourceTable::count(const util::Address& network) const noexcept {
  return slots_[find(network)].count;
}

}  // namespace gslbd::server
