// SPDX-License-Identifier: Apache-2.0
// A worker's mutable state for answering: its random generator, its round-robin positions (one
// per pool of the snapshot in use), its response rate limiting table, its cache of per-query
// DNSSEC signatures and the time of the batch being answered. Owned by one answering thread (a UDP
// receiver or a TCP loop); never shared.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "gslbd/dnssec/signature_cache.hpp"
#include "gslbd/rrl/rate_table.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/util/rng.hpp"

namespace gslbd::query {

class PolicyState {
 public:
  explicit PolicyState(std::uint64_t seed) : rng_(seed) {}

  // Once per batch, before answering from snapshot: reads the clock and, when the snapshot's
  // generation is new, sizes the round-robin counters for its pools and the rate limiting
  // table for its settings (the only allocations, once per reload).
  void prepare(const runtime::Snapshot& snapshot);

  util::Rng& rng() noexcept { return rng_; }
  std::span<std::uint32_t> round_robin() noexcept { return round_robin_; }
  rrl::RateTable& rate_table() noexcept { return rate_table_; }
  // Signatures of per-query RRsets; made by the first prepare() whose snapshot has a signed
  // zone (unsigned configs never pay for it), nullptr before, and made again at the size
  // signature_cache_slots() gives when a reload changes it.
  dnssec::SignatureCache* signature_cache() noexcept { return signature_cache_.get(); }
  // What every cache this state has used counted (a cache made again for a new size starts
  // from zero; these do not).
  dnssec::SignatureCacheCounters signature_counters() const noexcept;

  // Unix time in seconds as read by the last prepare() (cookie timestamps, rate accounting).
  std::uint32_t now_s() const noexcept { return now_s_; }
  // Tests: from now on prepare() uses this time instead of the system clock; 0 = system clock.
  void fix_time(std::uint32_t unix_s) noexcept {
    fixed_s_ = unix_s;
    if (unix_s != 0) now_s_ = unix_s;
  }

 private:
  util::Rng rng_;
  std::vector<std::uint32_t> round_robin_;
  rrl::RateTable rate_table_;
  std::unique_ptr<dnssec::SignatureCache> signature_cache_;
  dnssec::SignatureCacheCounters retired_signature_counters_;
  std::uint64_t generation_ = 0;
  std::uint32_t now_s_ = 0;
  std::uint32_t fixed_s_ = 0;
};

// The signature cache's slot count for config: room for every RRset its signed zones' services
// can answer (each subset of max_records members a pool and its fallbacks can name, per
// address family) at a quarter of the slots, so that the two-way sets rarely overflow; at
// least kMinSignatureSlots, at most kMaxSignatureSlots (about 1 KiB a slot, per answering
// thread); 0 when no zone is signed.
inline constexpr std::size_t kMinSignatureSlots = 1024;
inline constexpr std::size_t kMaxSignatureSlots = 16384;
std::size_t signature_cache_slots(const runtime::Config& config) noexcept;

// Unix time in seconds from the coarse realtime clock (vDSO; no allocation).
std::uint32_t unix_seconds() noexcept;

}  // namespace gslbd::query
