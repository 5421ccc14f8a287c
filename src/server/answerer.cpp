// SPDX-License-Identifier: Apache-2.0
#include "answerer.hpp"

#include <random>

#include "gslbd/util/clock.hpp"

namespace gslbd::server {
namespace {

std::uint64_t thread_seed(unsigned shard, unsigned lane) {
  return (std::uint64_t{std::random_device{}()} << 32 | std::random_device{}()) ^
         (std::uint64_t{shard} << 48) ^ (std::uint64_t{lane} << 32);
}

}  // namespace

Answerer::Answerer(const runtime::SnapshotPublisher& publisher, unsigned shard, unsigned lane,
                   dnstap::Tap* tap)
    : snapshot_(publisher), policy_state_(thread_seed(shard, lane)), tap_(tap) {}

Answerer::Answerer(const runtime::SnapshotPublisher& publisher, std::uint64_t seed)
    : snapshot_(publisher), policy_state_(seed) {}

const runtime::Snapshot& Answerer::refresh() noexcept {
  const runtime::Snapshot& snapshot = snapshot_.refresh();
  policy_state_.prepare(snapshot);
  const dnssec::SignatureCache* cache = policy_state_.signature_cache();
  const dnssec::SignatureCacheCounters c = policy_state_.signature_counters();
  stats_.set_signature_cache({c.hits, c.misses, c.uncached, c.failures},
                             cache != nullptr ? cache->slots() : 0);
  current_ = &snapshot;
  return snapshot;
}

std::size_t Answerer::answer_one(query::Transport transport, const util::Address& client,
                                 const std::uint8_t* message, std::size_t length,
                                 std::uint8_t* answer, std::size_t capacity,
                                 std::uint64_t started_ns) noexcept {
  const runtime::Snapshot& snapshot = current_ != nullptr ? *current_ : refresh();
  stats::QueryRecord record;
  const query::QueryContext context{transport, client, &policy_state_, &record};
  const std::size_t size =
      query::answer_query(snapshot, message, length, context, answer, capacity);
  const std::uint64_t end = util::monotonic_ns();
  const auto duration_us = static_cast<std::uint32_t>((end - started_ns) / 1000);
  stats_.record(record, duration_us);
  query_log_.log(*snapshot.config, client, message, record, size, duration_us, end);
  return size;
}

}  // namespace gslbd::server
