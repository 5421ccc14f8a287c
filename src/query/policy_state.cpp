// SPDX-License-Identifier: Apache-2.0
#include "gslbd/query/policy_state.hpp"

#include <time.h>

#include <algorithm>

#include "gslbd/pool/fallback_chain.hpp"
#include "gslbd/pool/pool_set.hpp"
#include "gslbd/zone/zone.hpp"

namespace gslbd::query {
namespace {

rrl::Limits limits_of(const runtime::RateLimitConfig& config) noexcept {
  rrl::Limits limits;
  limits.rate[static_cast<std::size_t>(rrl::Category::answer)] = config.responses_per_second;
  limits.rate[static_cast<std::size_t>(rrl::Category::nodata)] = config.nodata_per_second;
  limits.rate[static_cast<std::size_t>(rrl::Category::nxdomain)] = config.nxdomains_per_second;
  limits.rate[static_cast<std::size_t>(rrl::Category::referral)] = config.referrals_per_second;
  limits.rate[static_cast<std::size_t>(rrl::Category::error)] = config.errors_per_second;
  limits.window_s = config.window_s;
  limits.slip = config.slip;
  return limits;
}

// n choose k, or cap when it is larger.
std::size_t choose_capped(std::size_t n, std::size_t k, std::size_t cap) noexcept {
  std::size_t c = 1;
  for (std::size_t i = 0; i < k; ++i) {
    c = c * (n - i) / (i + 1);
    if (c >= cap) return cap;
  }
  return c;
}

// The distinct address sets one pool can answer: per family, every subset of max_records of
// its members of that family (the cache keys an RRset by its sorted records).
std::size_t answer_sets(const pool::Pool& pool, std::size_t cap) noexcept {
  std::size_t sets = 0;
  for (const std::uint8_t family : {std::uint8_t{4}, std::uint8_t{6}}) {
    std::size_t n = 0;
    for (const pool::Member& member : pool.members) n += member.address.family == family ? 1 : 0;
    sets += choose_capped(n, std::min<std::size_t>(pool.max_records, n), cap);
  }
  return std::min(sets, cap);
}

}  // namespace

std::size_t signature_cache_slots(const runtime::Config& config) noexcept {
  if (!config.zones) return 0;
  constexpr std::size_t kKeysPerSlot = 4;
  constexpr std::size_t kEnough = kMaxSignatureSlots / kKeysPerSlot;
  bool any_signed = false;
  std::size_t keys = 0;
  for (const auto& zone : config.zones->zones()) {
    if (zone->keys() == nullptr) continue;
    any_signed = true;
    if (!config.pools) continue;
    for (const zone::Service& service : zone->services()) {
      if (service.pool_index < 0) continue;
      const pool::FallbackChain chain =
          pool::fallback_chain(*config.pools, static_cast<std::uint32_t>(service.pool_index));
      for (std::uint32_t i = 0; i < chain.usable() && keys < kEnough; ++i)
        keys += answer_sets(config.pools->pools[chain.pool[i]], kEnough);
    }
  }
  if (!any_signed) return 0;
  std::size_t slots = kMinSignatureSlots;
  while (slots < kMaxSignatureSlots && slots < keys * kKeysPerSlot) slots <<= 1;
  return slots;
}

dnssec::SignatureCacheCounters PolicyState::signature_counters() const noexcept {
  dnssec::SignatureCacheCounters total = retired_signature_counters_;
  if (signature_cache_) {
    const dnssec::SignatureCacheCounters& now = signature_cache_->counters();
    total.hits += now.hits;
    total.misses += now.misses;
    total.uncached += now.uncached;
    total.failures += now.failures;
  }
  return total;
}

std::uint32_t unix_seconds() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<std::uint32_t>(ts.tv_sec);
}

void PolicyState::prepare(const runtime::Snapshot& snapshot) {
  now_s_ = fixed_s_ != 0 ? fixed_s_ : unix_seconds();
  if (snapshot.generation == generation_) return;
  generation_ = snapshot.generation;
  const auto& pools = snapshot.config->pools;
  round_robin_.assign(pools ? pools->pools.size() : 0, 0);
  // A reload that keeps the size keeps the signatures: they are keyed by the zone keys too.
  const std::size_t slots = signature_cache_slots(*snapshot.config);
  if (signature_cache_ && signature_cache_->slots() != slots) {
    retired_signature_counters_ = signature_counters();
    signature_cache_.reset();  // the old table goes before the new one is made
  }
  if (slots != 0 && !signature_cache_)
    signature_cache_ = std::make_unique<dnssec::SignatureCache>(slots);

  // A reload that keeps the table's size keeps what it has counted.
  const runtime::RateLimitConfig& limit = snapshot.config->server.rate_limit;
  if (!limit.enabled) {
    rate_table_.release();
    return;
  }
  const std::size_t size = rrl::RateTable::size_for(limit.table_size);
  if (rate_table_.capacity() != size) {
    std::uint8_t key[16];
    for (int half = 0; half < 2; ++half) {
      const std::uint64_t word = rng_.next();
      for (int i = 0; i < 8; ++i) key[half * 8 + i] = static_cast<std::uint8_t>(word >> (8 * i));
    }
    rate_table_.set_hash_key(key);
    rate_table_.resize(size);
  }
  rate_table_.set_limits(limits_of(limit));
}

}  // namespace gslbd::query
