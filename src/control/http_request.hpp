// SPDX-License-Identifier: Apache-2.0
// A small, strict HTTP/1.1 request parser for the control endpoint: request line, headers and
// a Content-Length body, all bounded. No chunked bodies, no obs-fold, no absolute-form targets.
// No I/O and no libuv, so the fuzz target links it alone.
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

// Parses one request from octets as they arrive, resuming where the previous feed ended: each
// head octet is checked once as it arrives, the head is parsed once when its empty line has
// arrived, and body octets are copied once. A client that sends one octet at a time costs no
// more than one that sends the request whole, and feeding any split of the same octets gives
// the same result. What it keeps is bounded by the limits (head plus body); octets after a
// complete request are ignored (one request per connection).
class HttpRequestParser {
 public:
  explicit HttpRequestParser(const HttpLimits& limits) : limits_(limits) {}

  // Takes the next octets. Once the result is complete or an error it stays as it is and
  // later octets are ignored.
  const ParseResult& feed(std::string_view octets);

  const ParseResult& result() const noexcept { return result_; }
  // The request; whole only when result() is complete.
  HttpRequest& request() noexcept { return request_; }
  // Octets taken so far (head and body, not what followed a complete request).
  std::size_t received() const noexcept { return head_.size() + request_.body.size(); }

 private:
  void finish_head();

  HttpLimits limits_;
  std::string head_;          // the head so far, at most limits_.max_head_bytes octets
  bool method_seen_ = false;  // the space after the method has arrived
  bool in_body_ = false;
  std::size_t body_length_ = 0;
  HttpRequest request_;
  ParseResult result_;
};

// Parses the request at the start of `buffer` in one feed. incomplete: more octets are needed
// (the caller enforces the time bounds). Never reads past buffer.
ParseResult parse_http_request(std::string_view buffer, const HttpLimits& limits, HttpRequest& out);

// Percent-decoding of a query component ('+' is a space); nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace gslbd::control
