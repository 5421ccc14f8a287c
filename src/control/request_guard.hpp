// SPDX-License-Identifier: Apache-2.0
// The rule that keeps web pages away from the control endpoint. A browser can be made to send
// requests to a loopback address: another site's form posts there (a "simple" cross-site POST
// needs no preflight), and a page whose name is rebound to 127.0.0.1 (DNS rebinding) can read
// what it fetches there. Browsers say who they are (Origin) and name the site they think they
// talk to (Host); gslbctl, curl and Prometheus send no Origin and name the address itself.
// Control thread; pure functions, no sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gslbd/util/address.hpp"
#include "http_request.hpp"

namespace gslbd::control {

// The address and port a client connected to (the listener's, or the concrete local address
// when the listener is a wildcard).
struct LocalEndpoint {
  util::Address address;
  std::uint16_t port = 0;
};

// Whether a Host field value names this endpoint: its IP literal (IPv6 in brackets), with or
// without a port (the port, when given, must be ours); "localhost" when the address is
// loopback; or a name in allowed_hosts (lower-case, compared without case).
bool host_names_endpoint(std::string_view host, const LocalEndpoint& local,
                         const std::vector<std::string>& allowed_hosts);

// The reason to refuse the request with 403, or nullopt to serve it: a Host that names
// something else (every method), or an Origin or Sec-Fetch-Site field on a POST.
std::optional<std::string> browser_refusal(const HttpRequest& request, const LocalEndpoint& local,
                                           const std::vector<std::string>& allowed_hosts);

}  // namespace gslbd::control
