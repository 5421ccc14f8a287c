// SPDX-License-Identifier: Apache-2.0
// server.resolver: the recursive resolvers the health loop asks for the addresses of pool
// members given by host name.
#pragma once

#include <vector>

#include "gslbd/runtime/server_config.hpp"
#include "yaml_reader.hpp"

namespace gslbd::config::detail {

// At most this many: each failed query tries the next one, and a resolution is bounded.
inline constexpr std::size_t kMaxResolvers = 4;

// A non-empty list of "address:port" ("[v6]:port" for IPv6), each at most once.
void read_resolver(Diagnostics& diag, const Value& value, std::vector<runtime::ListenAddress>& out);

// The items of a list of "address:port" into out, each at most once; used by server.listen too.
void read_address_list(Diagnostics& diag, const std::vector<Value>& items,
                       std::vector<runtime::ListenAddress>& out);

}  // namespace gslbd::config::detail
