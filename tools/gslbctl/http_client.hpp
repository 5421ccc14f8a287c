// SPDX-License-Identifier: Apache-2.0
// A blocking HTTP/1.1 client for gslbctl: one request per connection, with a deadline for the
// whole exchange and a bound on the reply size. Errors are one line for the operator.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace gslbctl {

struct Endpoint {
  std::string host;  // numeric address, no brackets
  unsigned port = 9253;
  std::string text() const;  // "127.0.0.1:9253", "[::1]:9253"
};

// Parses "ADDR:PORT" or "[V6]:PORT"; false with a reason.
bool parse_endpoint(std::string_view text, Endpoint& out, std::string& error);

struct HttpResult {
  bool ok = false;    // a response arrived
  std::string error;  // when !ok: "cannot reach gslbd at ...: connection refused"
  int status = 0;
  std::string body;
};

HttpResult http_request(const Endpoint& endpoint, std::string_view method, std::string_view target,
                        const std::string& token, std::chrono::milliseconds timeout);

// Percent-encodes a query parameter value (RFC 3986 unreserved characters stay).
std::string url_encode(std::string_view value);

}  // namespace gslbctl
