// SPDX-License-Identifier: Apache-2.0
// The name of a selection's outcome for /status and /explain (the table is stats'; policy and
// all-down names: pool::policy_name, pool::all_down_name).
#pragma once

#include "gslbd/pool/selection.hpp"

namespace gslbd::control {

const char* outcome_name(pool::Outcome outcome) noexcept;

}  // namespace gslbd::control
