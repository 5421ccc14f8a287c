// SPDX-License-Identifier: Apache-2.0
#include "request_guard.hpp"

#include <algorithm>

#include "admin.hpp"
#include "gslbd/util/sockaddr.hpp"

namespace gslbd::control {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return fold(x) == fold(y);
         });
}

// "" (no port) or 1 to 5 digits.
bool port_matches(std::string_view port, std::uint16_t ours) noexcept {
  if (port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (const char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value == ours;
}

}  // namespace

bool host_names_endpoint(std::string_view host, const LocalEndpoint& local,
                         const std::vector<std::string>& allowed_hosts) {
  std::string_view name;
  std::string_view port;
  bool has_port = false;
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    name = host.substr(1, close - 1);
    const std::string_view rest = host.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      has_port = true;
    }
    // Only an IPv6 literal goes in brackets.
    if (name.find(':') == std::string_view::npos) return false;
  } else {
    const std::size_t colon = host.find(':');
    name = host.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      has_port = true;
    }
  }
  if (name.empty() || (has_port && !port_matches(port, local.port))) return false;
  if (const auto address = util::parse_address(name)) return *address == local.address;
  if (name.back() == '.') name.remove_suffix(1);  // an absolute name means the same host
  if (equal_ignoring_case(name, "localhost")) {
    return util::is_loopback(local.address);
  }
  return std::any_of(allowed_hosts.begin(), allowed_hosts.end(), [&](const std::string& allowed) {
    return equal_ignoring_case(name, allowed);
  });
}

std::optional<std::string> browser_refusal(const HttpRequest& request, const LocalEndpoint& local,
                                           const std::vector<std::string>& allowed_hosts) {
  // HTTP/1.0 may omit Host; browsers never do, so no Host is not a browser.
  if (const std::string* host = request.header("host")) {
    if (!host_names_endpoint(*host, local, allowed_hosts)) {
      return "Host '" + *host +
             "' does not name this endpoint (use its address, or list the name in "
             "control.allowed_hosts)";
    }
  }
  if (request.method == "POST") {
    // Browsers send Origin with every POST (and Sec-Fetch-Site with every request); the
    // clients an operator uses send neither.
    if (request.header("origin") != nullptr) {
      return "a POST with an Origin header field comes from a web page; refused";
    }
    if (request.header("sec-fetch-site") != nullptr) {
      return "a POST with a Sec-Fetch-Site header field comes from a web page; refused";
    }
  }
  return std::nullopt;
}

}  // namespace gslbd::control
