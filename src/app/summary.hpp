// A one-line description of a loaded config, for --check-config and the logs.
#pragma once

#include <string>

#include "gslbd/config/config.hpp"

namespace gslbd::app {

std::string summarize(const config::Config& config);

}  // namespace gslbd::app
