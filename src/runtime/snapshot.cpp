// SPDX-License-Identifier: Apache-2.0
#include "gslbd/runtime/snapshot.hpp"

#include <algorithm>

namespace gslbd::runtime {

void SnapshotPublisher::publish(std::shared_ptr<const Config> config) {
  std::lock_guard lock(mutex_);
  const std::uint64_t next = generation_.load(std::memory_order_relaxed) + 1;
  if (current_) retired_.push_back(std::move(current_));
  current_ = std::make_shared<const Snapshot>(Snapshot{std::move(config), next});
  generation_.store(next, std::memory_order_release);
}

std::shared_ptr<const Snapshot> SnapshotPublisher::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::size_t SnapshotPublisher::collect() {
  std::vector<std::shared_ptr<const Snapshot>> unused;
  std::size_t still_held = 0;
  {
    std::lock_guard lock(mutex_);
    auto held = std::partition(retired_.begin(), retired_.end(),
                               [](const auto& s) { return s.use_count() > 1; });
    unused.assign(std::make_move_iterator(held), std::make_move_iterator(retired_.end()));
    retired_.erase(held, retired_.end());
    still_held = retired_.size();
  }
  return still_held;  // unused is freed here, outside the lock, on this thread
}

}  // namespace gslbd::runtime
