// SPDX-License-Identifier: Apache-2.0
#include "gslbd/health/health_table.hpp"

namespace gslbd::health {
namespace {

std::uint64_t pair(std::uint32_t high, std::uint32_t low) noexcept {
  return (std::uint64_t{high} << 32) | low;
}
std::uint32_t high(std::uint64_t word) noexcept {
  return static_cast<std::uint32_t>(word >> 32);
}
std::uint32_t low(std::uint64_t word) noexcept {
  return static_cast<std::uint32_t>(word);
}

}  // namespace

HealthTable::HealthTable(std::size_t slots, const Health& initial)
    : size_(slots),
      words_(new std::atomic<std::uint64_t>[slots == 0 ? 1 : slots]),
      loads_(new LoadWords[slots == 0 ? 1 : slots]),
      verdicts_(new std::atomic<std::uint64_t>[slots == 0 ? 1 : slots]),
      ramps_(new std::atomic<std::uint64_t>[slots == 0 ? 1 : slots]),
      weights_(new std::atomic<std::uint64_t>[slots == 0 ? 1 : slots]) {
  const std::uint64_t word = pack(initial);
  for (std::size_t i = 0; i < slots; ++i) {
    words_[i].store(word, std::memory_order_relaxed);
    verdicts_[i].store(0, std::memory_order_relaxed);
    ramps_[i].store(0, std::memory_order_relaxed);
    weights_[i].store(0, std::memory_order_relaxed);
    for (auto& w : loads_[i].words) w.store(0, std::memory_order_relaxed);
  }
}

Load HealthTable::read_load(std::size_t slot) const noexcept {
  const auto& w = loads_[slot].words;
  Load load;
  const std::uint64_t flags = w[0].load(std::memory_order_acquire);
  load.known = (flags & 1) != 0;
  load.up_servers = high(flags);
  const std::uint64_t sessions = w[1].load(std::memory_order_relaxed);
  load.sessions = high(sessions);
  load.session_limit = low(sessions);
  const std::uint64_t rate = w[2].load(std::memory_order_relaxed);
  load.session_rate = high(rate);
  load.queue = low(rate);
  const std::uint64_t times = w[3].load(std::memory_order_relaxed);
  load.response_ms = high(times);
  load.total_ms = low(times);
  load.bytes_in_per_s = w[4].load(std::memory_order_relaxed);
  load.bytes_out_per_s = w[5].load(std::memory_order_relaxed);
  return load;
}

void HealthTable::write_load(std::size_t slot, const Load& load) noexcept {
  auto& w = loads_[slot].words;
  w[1].store(pair(load.sessions, load.session_limit), std::memory_order_relaxed);
  w[2].store(pair(load.session_rate, load.queue), std::memory_order_relaxed);
  w[3].store(pair(load.response_ms, load.total_ms), std::memory_order_relaxed);
  w[4].store(load.bytes_in_per_s, std::memory_order_relaxed);
  w[5].store(load.bytes_out_per_s, std::memory_order_relaxed);
  // Last, with release: a reader that sees `known` also sees the figures written with it.
  w[0].store(pair(load.up_servers, load.known ? 1u : 0u), std::memory_order_release);
}

}  // namespace gslbd::health
