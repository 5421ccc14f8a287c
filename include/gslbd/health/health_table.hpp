// SPDX-License-Identifier: Apache-2.0
// The health words of all members of a config generation, one slot per (member, check set),
// and beside each word the member's load figures (for members checked through their balancer).
// Thread contract: exactly one writer, the health loop (admin actions reach it by message);
// any number of readers (workers) without locks. A table belongs to one config generation; on
// reload the new table is seeded from the old one by stable key (see the probe module).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "gslbd/health/check_rule.hpp"
#include "gslbd/health/health.hpp"
#include "gslbd/health/load.hpp"

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

  // Each check's verdict (see check_rule.hpp), for /explain: same single writer, stored beside
  // the member's word but not with it, so a reader may see one a probe ahead of the other.
  CheckVerdicts read_verdicts(std::size_t slot) const noexcept {
    return unpack_verdicts(verdicts_[slot].load(std::memory_order_acquire));
  }
  void write_verdicts(std::size_t slot, const CheckVerdicts& verdicts) noexcept {
    verdicts_[slot].store(pack(verdicts), std::memory_order_release);
  }

  // When the member last came back to serving after having served (monotonic milliseconds,
  // 0 = never): the start of its slow-start ramp (pool/slow_start.hpp). Same single writer.
  std::uint64_t read_ramp(std::size_t slot) const noexcept {
    return ramps_[slot].load(std::memory_order_acquire);
  }
  void write_ramp(std::size_t slot, std::uint64_t since_ms) noexcept {
    ramps_[slot].store(since_ms, std::memory_order_release);
  }

  // An operator's weight override (replaces the member's configured weight in every policy
  // that weighs; nullopt = none). Same single writer.
  std::optional<std::uint32_t> read_weight_override(std::size_t slot) const noexcept {
    const std::uint64_t word = weights_[slot].load(std::memory_order_acquire);
    if (word == 0) return std::nullopt;
    return static_cast<std::uint32_t>(word - 1);
  }
  void write_weight_override(std::size_t slot, std::optional<std::uint32_t> weight) noexcept {
    weights_[slot].store(weight ? std::uint64_t{*weight} + 1 : 0, std::memory_order_release);
  }

  // Load figures: same single writer. Each figure is read atomically but a reader may see
  // figures of two consecutive polls mixed, which a proportional draw tolerates.
  Load read_load(std::size_t slot) const noexcept;
  void write_load(std::size_t slot, const Load& load) noexcept;

 private:
  static constexpr std::size_t kLoadWords = 6;
  struct LoadWords {
    std::atomic<std::uint64_t> words[kLoadWords];
  };

  std::size_t size_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> words_;
  std::unique_ptr<LoadWords[]> loads_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> verdicts_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> ramps_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> weights_;  // 0 = no override, else weight + 1
};

}  // namespace gslbd::health
