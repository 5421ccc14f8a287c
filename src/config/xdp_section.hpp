// SPDX-License-Identifier: Apache-2.0
// The main file's xdp: section (the AF_XDP fast path), read against its strict schema.
#pragma once

#include <string_view>
#include <vector>

#include "gslbd/runtime/server_config.hpp"
#include "yaml_reader.hpp"

namespace gslbd::config::detail {

// Reads value into xdp; errors go to diag at the offending key or item.
void read_xdp(Diagnostics& diag, const Value& value, runtime::XdpConfig& xdp);
// The section's keys, for the test that the documentation names each.
std::vector<std::string_view> xdp_key_names();

}  // namespace gslbd::config::detail
