// SPDX-License-Identifier: Apache-2.0
// The server side of DNS cookies for one request (RFC 7873 section 5.2, RFC 9018): what the
// request's COOKIE option held, and the option for the response (the client cookie and a
// server cookie: the one received while it is ours and under half an hour old, else a new
// one). Worker thread; no allocation.
#pragma once

#include <cstdint>

#include "gslbd/dns/cookie.hpp"
#include "gslbd/dns/query.hpp"
#include "gslbd/runtime/server_config.hpp"
#include "gslbd/stats/worker_stats.hpp"
#include "gslbd/util/address.hpp"

namespace gslbd::query {

struct CookieReply {
  stats::CookieSeen seen = stats::CookieSeen::none;
  std::uint8_t option[dns::kClientCookieSize + dns::kServerCookieSize] = {};
  bool present() const noexcept { return seen != stats::CookieSeen::none; }
};

// now is unix time in seconds. Nothing is seen when cookies are off or the request had none.
CookieReply reply_cookie(const dns::Query& query, const runtime::CookieConfig& cookies,
                         const util::Address& source, std::uint32_t now) noexcept;

}  // namespace gslbd::query
