// SPDX-License-Identifier: Apache-2.0
// The configuration in service, published to workers as immutable snapshots (the dnsdist
// state-holder pattern): one writer (the control thread) publishes; each worker keeps a local
// shared_ptr and refreshes it when the generation counter moves, once per batch.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "gslbd/runtime/config.hpp"

namespace gslbd::runtime {

struct Snapshot {
  std::shared_ptr<const Config> config;
  std::uint64_t generation = 0;
};

class SnapshotPublisher {
 public:
  // Control thread. Replaces the snapshot in service; the old one is kept until no worker
  // holds it and then freed by collect(), so workers never pay for freeing a config.
  void publish(std::shared_ptr<const Config> config);

  // Control thread, periodically: frees retired snapshots no worker holds any more.
  // Returns how many are still retired (held by some worker).
  std::size_t collect();

  // Any thread; cheap (one acquire load).
  std::uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }

  // Any thread; takes the lock. Workers call it only when generation() moved.
  std::shared_ptr<const Snapshot> current() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> current_;               // guarded by mutex_
  std::vector<std::shared_ptr<const Snapshot>> retired_;  // guarded by mutex_
  std::atomic<std::uint64_t> generation_{0};
};

// A worker's own view: refresh() once per batch; between refreshes the snapshot cannot change.
class LocalSnapshot {
 public:
  explicit LocalSnapshot(const SnapshotPublisher& publisher) : publisher_(publisher) {}

  const Snapshot& refresh() noexcept {
    if (publisher_.generation() != seen_ || !local_) {
      local_ = publisher_.current();
      seen_ = local_->generation;
    }
    return *local_;
  }

 private:
  const SnapshotPublisher& publisher_;
  std::shared_ptr<const Snapshot> local_;
  std::uint64_t seen_ = 0;
};

}  // namespace gslbd::runtime
