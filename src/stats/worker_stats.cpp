// SPDX-License-Identifier: Apache-2.0
#include "gslbd/stats/worker_stats.hpp"

#include <algorithm>

#include "gslbd/dns/names.hpp"

namespace gslbd::stats {

std::size_t qtype_bucket(std::uint16_t qtype) noexcept {
  const auto* it = std::find(kQtypes.begin(), kQtypes.end(), qtype);
  return static_cast<std::size_t>(it - kQtypes.begin());  // kQtypes.size() = other
}

std::string_view qtype_name(std::size_t bucket) noexcept {
  return bucket < kQtypes.size() ? dns::rr_type_name(kQtypes[bucket]) : "other";
}

const char* outcome_name(PoolOutcome outcome) noexcept {
  static constexpr const char* kNames[kPoolOutcomes] = {"normal", "fallback", "all_down"};
  const auto index = static_cast<std::size_t>(outcome);
  return index < kPoolOutcomes ? kNames[index] : "other";
}

const char* proto_name(std::size_t proto) noexcept {
  static constexpr const char* kNames[kProtos] = {"udp", "tcp", "xdp"};
  return proto < kProtos ? kNames[proto] : "other";
}

const char* drop_name(std::size_t drop) noexcept {
  static constexpr const char* kNames[kDrops] = {"malformed", "send_failed", "oversized",
                                                 "tcp_cap"};
  return drop < kDrops ? kNames[drop] : "other";
}

const char* tcp_close_name(std::size_t reason) noexcept {
  static constexpr const char* kNames[kTcpCloses] = {"idle_timeout",  "frame_timeout",
                                                     "write_timeout", "evicted_idle",
                                                     "evicted_slow",  "source_limit"};
  return reason < kTcpCloses ? kNames[reason] : "other";
}

const char* rrl_action_name(std::size_t action) noexcept {
  static constexpr const char* kNames[kRrlActions] = {"none", "dropped", "slipped", "would_limit"};
  return action < kRrlActions ? kNames[action] : "other";
}

const char* cookie_kind_name(std::size_t kind) noexcept {
  static constexpr const char* kNames[kCookieKinds] = {"none", "client_only", "valid", "invalid"};
  return kind < kCookieKinds ? kNames[kind] : "other";
}

const char* signature_lookup_name(std::size_t lookup) noexcept {
  static constexpr const char* kNames[kSignatureLookups] = {"hit", "miss", "uncached", "failed"};
  return lookup < kSignatureLookups ? kNames[lookup] : "other";
}

WorkerStats::WorkerStats() : table_(std::make_unique<Tables>()) {}

void WorkerStats::record(const QueryRecord& r, std::uint32_t duration_us) noexcept {
  if (!r.answered) {
    drop(Drop::malformed);
    return;
  }
  const std::size_t zone = r.zone < 0 || static_cast<std::size_t>(r.zone) >= kMaxZones
                               ? kMaxZones
                               : static_cast<std::size_t>(r.zone);
  table_
      ->requests[zone][static_cast<std::size_t>(r.proto)][r.family == 6 ? 1 : 0]
                [qtype_bucket(r.qtype)]
      .add();
  cookies_[static_cast<std::size_t>(r.cookie)].add();
  rrl_[static_cast<std::size_t>(r.rrl)].add();
  // A dropped response was never sent: it counts as a request, not as a response.
  if (r.rrl != RrlAction::dropped) {
    responses_[r.rcode < kRcodes ? r.rcode : kRcodes - 1].add();
    if (r.truncated) truncated_.add();
  }
  if (r.pool >= 0) {
    const std::size_t pool =
        static_cast<std::size_t>(r.pool) < kMaxPools ? static_cast<std::size_t>(r.pool) : kMaxPools;
    table_->pool_answers[pool][static_cast<std::size_t>(r.outcome)].add();
    for (std::uint8_t i = 0; i < r.selected && i < 16; ++i) {
      if (r.selected_slots[i] < kMaxMembers) table_->selections[r.selected_slots[i]].add();
    }
  }
  std::size_t bucket = 0;
  while (bucket < kDurationBucketsUs.size() && duration_us > kDurationBucketsUs[bucket]) ++bucket;
  if (bucket < kDurationBucketsUs.size()) duration_[bucket].add();
  duration_count_.add();
  duration_sum_us_.add(duration_us);
}

}  // namespace gslbd::stats
