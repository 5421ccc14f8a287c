// SPDX-License-Identifier: Apache-2.0
#include "gslbd/query/policy_state.hpp"

#include <time.h>

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

}  // namespace

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
  if (!signature_cache_ && snapshot.config->zones) {
    for (const auto& zone : snapshot.config->zones->zones()) {
      if (zone->keys() == nullptr) continue;
      signature_cache_ = std::make_unique<dnssec::SignatureCache>();
      break;
    }
  }

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
