// A small, strict HTTP/1.1 request parser for the control endpoint: request line, headers and
// a Content-Length body, all bounded. No chunked bodies, no obs-fold, no absolute-form targets.
// Pure functions over a byte buffer (no I/O, no libuv), so the fuzz target links them alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gslbd::control {

struct HttpLimits {
  std::size_t max_head_bytes = 16 * 1024;  // request line + headers, CRLFs included
  std::size_t max_body_bytes = 16 * 1024;
  std::size_t max_headers = 64;
};

struct HttpRequest {
  std::string method;                                        // as sent (methods are case-sensitive)
  std::string target;                                        // origin-form, as sent
  std::string path;                                          // target before '?', percent-decoded
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, values trimmed
  std::string body;
  bool http10 = false;

  // First header / query parameter with that (lower-case) name.
  const std::string* header(std::string_view lower_name) const noexcept;
  const std::string* param(std::string_view name) const noexcept;
};

enum class ParseStatus : std::uint8_t { incomplete, complete, error };

struct ParseResult {
  ParseStatus status = ParseStatus::incomplete;
  int http_status = 0;   // for errors: 400, 413, 431, 501, 505
  std::string reason;    // for errors: one line for the response body
  std::size_t used = 0;  // for complete: octets of the buffer the request took
};

// Parses the request at the start of `buffer`. incomplete: more bytes are needed (the caller
// enforces the overall size bound and the idle timeout). Never reads past buffer.
ParseResult parse_http_request(std::string_view buffer, const HttpLimits& limits, HttpRequest& out);

// Percent-decoding of a query component ('+' is a space); nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace gslbd::control
