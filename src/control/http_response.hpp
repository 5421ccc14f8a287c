// SPDX-License-Identifier: Apache-2.0
// HTTP/1.1 responses of the control endpoint: status, content type, body, and their bytes on
// the wire. Every response closes the connection (one request per connection keeps the server
// small and its bounds obvious).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gslbd::control {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields
};

const char* reason_phrase(int status) noexcept;

// Status line, Content-Type, Content-Length, Connection: close, extras, body (omitted for HEAD).
std::string serialize(const HttpResponse& response, bool head_only);

HttpResponse text_response(int status, std::string body);
HttpResponse json_response(int status, std::string body);
// {"error": message} with the given status.
HttpResponse json_error(int status, std::string_view message);

}  // namespace gslbd::control
