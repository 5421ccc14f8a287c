// SPDX-License-Identifier: Apache-2.0
#include "rate_limit.hpp"

#include <cstring>

#include "gslbd/dns/constants.hpp"

namespace gslbd::query {

bool rate_limit_exempt(const runtime::RateLimitConfig& config,
                       const util::Address& source) noexcept {
  for (const runtime::Network& network : config.exempt) {
    if (network.address.family == source.family &&
        util::masked(source, network.prefix) == network.address) {
      return true;
    }
  }
  return false;
}

rrl::Decision account_response(const runtime::RateLimitConfig& config, PolicyState& state,
                               const util::Address& source,
                               const ResponseClass& response) noexcept {
  // class | family | client network | qtype | name
  std::uint8_t key[1 + 1 + 16 + 2 + dns::kMaxNameWire];
  const util::Address network =
      util::masked(source, source.family == 6 ? config.ipv6_prefix : config.ipv4_prefix);
  key[0] = static_cast<std::uint8_t>(response.category);
  key[1] = network.family;
  std::memcpy(key + 2, network.bytes.data(), 16);
  key[18] = static_cast<std::uint8_t>(response.qtype >> 8);
  key[19] = static_cast<std::uint8_t>(response.qtype & 0xff);
  const std::size_t name_len =
      response.name.size() < dns::kMaxNameWire ? response.name.size() : dns::kMaxNameWire;
  if (name_len != 0) std::memcpy(key + 20, response.name.data(), name_len);
  return state.rate_table().account(response.category, key, 20 + name_len, state.now_s());
}

}  // namespace gslbd::query
