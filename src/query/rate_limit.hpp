// SPDX-License-Identifier: Apache-2.0
// Response rate limiting on the query path: which UDP responses are accounted (not TCP, not
// exempt networks, not requests with a valid server cookie), their class and key (client
// network and what the response is about), and the table's verdict. Worker thread; no
// allocation.
#pragma once

#include <cstdint>
#include <string_view>

#include "gslbd/dns/query.hpp"
#include "gslbd/query/policy_state.hpp"
#include "gslbd/rrl/rate_table.hpp"
#include "gslbd/runtime/server_config.hpp"
#include "gslbd/util/address.hpp"

namespace gslbd::query {

// What a response is about, for its rate-limit key.
struct ResponseClass {
  rrl::Category category = rrl::Category::error;
  std::string_view name;  // lower-case wire name: qname, zone apex or delegation point
  std::uint16_t qtype = 0;
};

bool rate_limit_exempt(const runtime::RateLimitConfig& config,
                       const util::Address& source) noexcept;

// Accounts one response in the worker's table.
rrl::Decision account_response(const runtime::RateLimitConfig& config, PolicyState& state,
                               const util::Address& source, const ResponseClass& response) noexcept;

}  // namespace gslbd::query
