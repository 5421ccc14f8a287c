// SPDX-License-Identifier: Apache-2.0
// A one-line description of a loaded config, for --check-config and the logs: the counts and
// the first few zones by name, so its length does not grow with the number of zones.
#pragma once

#include <string>

#include "gslbd/runtime/config.hpp"

namespace gslbd::app {

std::string summarize(const runtime::Config& config);

}  // namespace gslbd::app
