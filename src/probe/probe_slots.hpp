// SPDX-License-Identifier: Apache-2.0
// The bound on probes in flight across the whole loop: a probe that finds every slot taken
// waits, in FIFO order, for the next one freed. Each check runner waits at most once at a time,
// so the queue is bounded by the number of runners. Health loop thread only.
#pragma once

#include <cstdint>
#include <deque>

namespace gslbd::probe {

class SlotWaiter {
 public:
  // A slot has been taken for this waiter.
  virtual void on_slot() noexcept = 0;

 protected:
  ~SlotWaiter() = default;
};

class ProbeSlots {
 public:
  explicit ProbeSlots(std::uint32_t limit) noexcept : limit_(limit == 0 ? 1 : limit) {}

  // True if a slot was taken now; otherwise `waiter` is queued and called when one frees.
  bool acquire(SlotWaiter* waiter);
  // Gives a slot back; hands it to the first waiter unless shutting down.
  void release() noexcept;
  // Drops a queued waiter (its check was removed).
  void forget(SlotWaiter* waiter) noexcept;
  // Stop: no more hand-overs.
  void shut_down() noexcept { shutting_down_ = true; }

  std::size_t waiting() const noexcept { return waiting_.size(); }

 private:
  std::uint32_t limit_;
  std::uint32_t in_use_ = 0;
  bool shutting_down_ = false;
  std::deque<SlotWaiter*> waiting_;
};

}  // namespace gslbd::probe
