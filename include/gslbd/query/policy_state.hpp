// A worker's mutable state for answer policies: its random generator and its round-robin
// positions, one per pool of the snapshot in use. Owned by one worker thread; never shared.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/util/rng.hpp"

namespace gslbd::query {

class PolicyState {
 public:
  explicit PolicyState(std::uint64_t seed) : rng_(seed) {}

  // Once per batch, before answering from snapshot: when its generation is new, the
  // round-robin counters are sized for its pools (the only allocation, once per reload).
  void prepare(const runtime::Snapshot& snapshot);

  util::Rng& rng() noexcept { return rng_; }
  std::span<std::uint32_t> round_robin() noexcept { return round_robin_; }

 private:
  util::Rng rng_;
  std::vector<std::uint32_t> round_robin_;
  std::uint64_t generation_ = 0;
};

}  // namespace gslbd::query
