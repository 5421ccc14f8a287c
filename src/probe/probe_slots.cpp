// SPDX-License-Identifier: Apache-2.0
#include "probe_slots.hpp"

#include <algorithm>

namespace gslbd::probe {

bool ProbeSlots::acquire(SlotWaiter* waiter) {
  if (in_use_ < limit_) {
    ++in_use_;
    return true;
  }
  waiting_.push_back(waiter);
  return false;
}

void ProbeSlots::release() noexcept {
  if (in_use_ > 0) --in_use_;
  if (shutting_down_ || waiting_.empty() || in_use_ >= limit_) return;
  SlotWaiter* next = waiting_.front();
  waiting_.pop_front();
  ++in_use_;
  next->on_slot();
}

void ProbeSlots::forget(SlotWaiter* waiter) noexcept {
  waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), waiter), waiting_.end());
}

}  // namespace gslbd::probe
