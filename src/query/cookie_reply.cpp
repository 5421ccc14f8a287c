// SPDX-License-Identifier: Apache-2.0
#include "cookie_reply.hpp"

#include <cstring>

namespace gslbd::query {

CookieReply reply_cookie(const dns::Query& query, const runtime::CookieConfig& cookies,
                         const util::Address& source, std::uint32_t now) noexcept {
  CookieReply reply;
  if (!cookies.enabled || query.cookie_len == 0) return reply;
  const std::uint8_t* client = query.cookie;
  const std::uint8_t* server = query.cookie + dns::kClientCookieSize;
  const std::size_t server_len = query.cookie_len - dns::kClientCookieSize;
  // An unknown source (family 0) hashes as no address: such cookies are only ever checked
  // against themselves.
  const std::size_t address_len = source.family == 0 ? 0 : source.length();
  std::memcpy(reply.option, client, dns::kClientCookieSize);
  std::uint8_t* out = reply.option + dns::kClientCookieSize;

  if (server_len == 0) {
    reply.seen = stats::CookieSeen::client_only;
  } else {
    dns::ServerCookieCheck check = dns::check_server_cookie(
        cookies.secret, client, server, server_len, source.bytes.data(), address_len, now);
    const bool current = check == dns::ServerCookieCheck::valid;
    if (!current && cookies.has_previous) {
      check = dns::check_server_cookie(cookies.previous, client, server, server_len,
                                       source.bytes.data(), address_len, now);
    }
    if (check != dns::ServerCookieCheck::valid) {
      reply.seen = stats::CookieSeen::invalid;
    } else {
      reply.seen = stats::CookieSeen::valid;
      // RFC 9018 section 4.3: renew after half an hour; until then the client's cookie
      // (made with today's secret and the standard's zero reserved octets) is as good.
      const auto age = static_cast<std::int32_t>(now - dns::server_cookie_time(server));
      if (current && age <= dns::kCookieRenewAge && server[1] == 0 && server[2] == 0 &&
          server[3] == 0) {
        std::memcpy(out, server, dns::kServerCookieSize);
        return reply;
      }
    }
  }
  dns::make_server_cookie(cookies.secret, client, source.bytes.data(), address_len, now, out);
  return reply;
}

}  // namespace gslbd::query
