// SPDX-License-Identifier: Apache-2.0
// CHAOS-class queries: TXT id.server and hostname.bind name this instance (RFC 4892), so an
// operator can tell redundant instances apart. Everything else in CHAOS is refused.
#pragma once

#include <string_view>

#include "gslbd/dns/query.hpp"
#include "gslbd/dns/response_writer.hpp"

namespace gslbd::query {

void answer_chaos(const dns::Query& query, std::string_view identity,
                  dns::ResponseWriter& writer) noexcept;

}  // namespace gslbd::query
