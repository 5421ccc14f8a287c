// SPDX-License-Identifier: Apache-2.0
// The health words of all members of a config generation, one slot per (member, check set).
// Thread contract: exactly one writer, the health loop (admin actions reach it by message);
// any number of readers (workers) without locks. A table belongs to one config generation; on
// reload the new table is seeded from the old one by stable key (see the probe module).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "gslbd/health/health.hpp"

namespace gslbd::health {

class HealthTable {
 public:
  // Every slot starts as `initial`.
  HealthTable(std::size_t slots, const Health& initial);

  std::size_t size() const noexcept { return size_; }

  // Workers: one acquire load.
  Health read(std::size_t slot) const noexcept { return unpack(read_word(slot)); }
  // Health loop only.
  void write(std::size_t slot, const Health& health) noexcept { write_word(slot, pack(health)); }

  // Raw words, for per-pool state the health loop derives (e.g. failover's active group when
  // preempt is off) and keeps in slots of its own.
  std::uint64_t read_word(std::size_t slot) const noexcept {
    return words_[slot].load(std::memory_order_acquire);
  }
  void write_word(std::size_t slot, std::uint64_t word) noexcept {
    words_[slot].store(word, std::memory_order_release);
  }

 private:
  std::size_t size_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> words_;
};

}  // namespace gslbd::health
