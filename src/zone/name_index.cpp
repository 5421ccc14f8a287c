// SPDX-License-Identifier: Apache-2.0
#include "gslbd/zone/name_index.hpp"

#include <cstring>

namespace gslbd::zone {

std::size_t NameIndex::hash(std::string_view bytes) noexcept {
  // Eight octets per step (a query hashes a few names), each step mixed so that the low bits,
  // which pick the slot, depend on every octet; the murmur3 finalizer at the end.
  const std::size_t size = bytes.size();
  std::uint64_t h = 0x9e3779b97f4a7c15ull ^ size;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, bytes.data() + i, 8);
    h = (h ^ chunk) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  // The last octets one by one: a copy of a length known only now would be a library call.
  std::uint64_t tail = 0;
  for (; i < size; ++i) tail = (tail << 8) | static_cast<std::uint8_t>(bytes[i]);
  h ^= tail;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return static_cast<std::size_t>(h);
}

void NameIndex::build(std::uint32_t count,
                      const std::function<std::string_view(std::uint32_t)>& name_of) {
  std::size_t size = 8;
  while (size < static_cast<std::size_t>(count) * 2) size *= 2;  // load factor <= 0.5
  slots_.assign(size, 0);
  const std::size_t mask = size - 1;
  for (std::uint32_t n = 0; n < count; ++n) {
    std::size_t i = hash(name_of(n)) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = n + 1;
  }
}

}  // namespace gslbd::zone
