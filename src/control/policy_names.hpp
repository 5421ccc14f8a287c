// SPDX-License-Identifier: Apache-2.0
// Names of pool policies and all-down actions as the config files spell them, for /status and
// /explain.
#pragma once

#include "gslbd/pool/pool.hpp"
#include "gslbd/pool/selection.hpp"

namespace gslbd::control {

const char* policy_name(pool::PolicyKind kind) noexcept;
const char* all_down_name(pool::AllDownAction action) noexcept;
const char* outcome_name(pool::Outcome outcome) noexcept;

}  // namespace gslbd::control
