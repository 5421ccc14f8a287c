// SPDX-License-Identifier: Apache-2.0
// Names of all-down actions and selection outcomes as the config files spell them, for /status
// and /explain (policy names: pool::policy_name).
#pragma once

#include "gslbd/pool/pool.hpp"
#include "gslbd/pool/selection.hpp"

namespace gslbd::control {

const char* all_down_name(pool::AllDownAction action) noexcept;
const char* outcome_name(pool::Outcome outcome) noexcept;

}  // namespace gslbd::control
