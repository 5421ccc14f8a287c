// SPDX-License-Identifier: Apache-2.0
// One answering thread's bundle: its snapshot copy, its policy state, its counters, its query
// log and its dnstap tap, and answer_one(), the one way a query is answered, counted and logged.
// UdpBatch and TcpConnection both answer through it. Owned by one thread (a UDP receiver or a
// TCP loop); nothing in it is shared, so nothing on the query path takes a lock.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gslbd/query/answer.hpp"
#include "gslbd/query/policy_state.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/stats/worker_stats.hpp"
#include "query_log.hpp"

namespace gslbd::dnstap {
class Tap;
}  // namespace gslbd::dnstap

namespace gslbd::server {

class Answerer {
 public:
  // shard and lane name the thread (its shard, and which of the shard's threads it is), so
  // that every thread draws its own random sequence, differently from run to run. tap, when
  // not null, records this thread's exchanges for dnstap; it must outlive the answerer.
  Answerer(const runtime::SnapshotPublisher& publisher, unsigned shard, unsigned lane,
           dnstap::Tap* tap = nullptr);
  // Tests: a fixed seed, so draws repeat.
  Answerer(const runtime::SnapshotPublisher& publisher, std::uint64_t seed);
  Answerer(const Answerer&) = delete;
  Answerer& operator=(const Answerer&) = delete;

  // Once per batch (UDP) or per query (TCP): takes the newest snapshot if the generation moved
  // (one atomic load otherwise) and readies the policy state for it.
  const runtime::Snapshot& refresh() noexcept;

  // Answers the query of `length` octets at `message` from the snapshot of the last refresh()
  // into `answer` (room for `capacity` octets), counts it and logs it. Duration counts from
  // started_ns (util::monotonic_ns()). Returns the answer's size; 0 = no answer is sent.
  std::size_t answer_one(query::Transport transport, const util::Address& client,
                         const std::uint8_t* message, std::size_t length, std::uint8_t* answer,
                         std::size_t capacity, std::uint64_t started_ns) noexcept;

  // Before the owning thread starts: records its exchanges into tap (null: none) from then on.
  void set_tap(dnstap::Tap* tap) noexcept { tap_ = tap; }

  stats::WorkerStats& stats() noexcept { return stats_; }
  const stats::WorkerStats& stats() const noexcept { return stats_; }
  QueryLog& query_log() noexcept { return query_log_; }
  query::PolicyState& policy_state() noexcept { return policy_state_; }
  dnstap::Tap* tap() const noexcept { return tap_; }

 private:
  runtime::LocalSnapshot snapshot_;
  const runtime::Snapshot* current_ = nullptr;  // what the last refresh() returned
  query::PolicyState policy_state_;
  stats::WorkerStats stats_;
  QueryLog query_log_;
  dnstap::Tap* tap_ = nullptr;
};

}  // namespace gslbd::server
