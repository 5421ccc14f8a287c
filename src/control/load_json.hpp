// SPDX-License-Identifier: Apache-2.0
// A member's balancer load as /status and /explain write it.
#pragma once

#include "gslbd/health/load.hpp"
#include "json_writer.hpp"

namespace gslbd::control {

// Writes the value of a "load" key: an object with the figures, or null before the first poll.
void write_load(JsonWriter& json, const health::Load& load);

}  // namespace gslbd::control
