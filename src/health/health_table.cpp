// SPDX-License-Identifier: Apache-2.0
#include "gslbd/health/health_table.hpp"

namespace gslbd::health {

HealthTable::HealthTable(std::size_t slots, const Health& initial)
    : size_(slots), words_(new std::atomic<std::uint64_t>[slots == 0 ? 1 : slots]) {
  const std::uint64_t word = pack(initial);
  for (std::size_t i = 0; i < slots; ++i) words_[i].store(word, std::memory_order_relaxed);
}

}  // namespace gslbd::health
