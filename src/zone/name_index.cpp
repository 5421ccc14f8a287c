// SPDX-License-Identifier: Apache-2.0
#include "gslbd/zone/name_index.hpp"

namespace gslbd::zone {

std::size_t NameIndex::hash(std::string_view bytes) noexcept {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (char c : bytes) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 1099511628211ull;
  }
  return static_cast<std::size_t>(h ^ (h >> 29));
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
