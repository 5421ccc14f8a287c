// SPDX-License-Identifier: Apache-2.0
#include "policy_names.hpp"

#include "gslbd/stats/worker_stats.hpp"

namespace gslbd::control {

// The query path counts a selection's outcome as the stats enum of the same number.
static_assert(static_cast<int>(pool::Outcome::normal) ==
              static_cast<int>(stats::PoolOutcome::normal));
static_assert(static_cast<int>(pool::Outcome::fallback) ==
              static_cast<int>(stats::PoolOutcome::fallback));
static_assert(static_cast<int>(pool::Outcome::all_down) ==
              static_cast<int>(stats::PoolOutcome::all_down));

const char* outcome_name(pool::Outcome outcome) noexcept {
  return stats::outcome_name(static_cast<stats::PoolOutcome>(outcome));
}

}  // namespace gslbd::control
