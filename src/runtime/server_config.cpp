// SPDX-License-Identifier: Apache-2.0
#include "gslbd/runtime/server_config.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace gslbd::runtime {

void carry_cookie_secrets(const CookieConfig& running, CookieConfig& next) {
  if (next.secret_file.empty() && running.secret_file.empty()) {
    next.secret = running.secret;
    next.has_previous = running.has_previous;
    next.previous = running.previous;
  } else if (next.secret != running.secret) {
    next.has_previous = true;
    next.previous = running.secret;
  } else {
    next.has_previous = running.has_previous;
    next.previous = running.previous;
  }
}

bool parse_listen_address(const std::string& text, ListenAddress& out, std::string& error) {
  std::string host;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      error = "expected [IPv6]:port";
      return false;
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    in6_addr probe{};
    if (inet_pton(AF_INET6, host.c_str(), &probe) != 1) {
      error = "'" + host + "' is not an IPv6 address";
      return false;
    }
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
      error = "expected address:port";
      return false;
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    in_addr probe{};
    if (inet_pton(AF_INET, host.c_str(), &probe) != 1) {
      error = "'" + host + "' is not an IPv4 address (write IPv6 as [addr]:port)";
      return false;
    }
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    error = "'" + port_text + "' is not a port (1..65535)";
    return false;
  }
  out.host = host;
  out.port = static_cast<std::uint16_t>(port);
  return true;
}

}  // namespace gslbd::runtime
