// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the control endpoint's HTTP request parser (and the JSON string escaper that
// echoes request data back). The fuzz CMake links every target to the query and config
// libraries only, so the two dependency-free control sources are compiled in here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "control/http_request.cpp"
#include "control/json_writer.cpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace gslbd::control;
  // Small limits so the fuzzer reaches the 413 and 431 paths as well as complete requests.
  HttpLimits limits;
  limits.max_head_bytes = 512;
  limits.max_body_bytes = 256;
  limits.max_headers = 8;
  HttpRequest request;
  const ParseResult result = parse_http_request(input, limits, request);
  switch (result.status) {
    case ParseStatus::complete:
      if (result.used > size || request.body.size() > limits.max_body_bytes ||
          request.headers.size() > limits.max_headers || request.path.empty() ||
          request.target.front() != '/') {
        std::abort();
      }
      break;
    case ParseStatus::error:
      if (result.http_status < 400 || result.http_status > 505 || result.reason.empty()) {
        std::abort();
      }
      break;
    case ParseStatus::incomplete:
      if (size > limits.max_head_bytes + limits.max_body_bytes + 4) std::abort();
      break;
  }
  // The same octets give the same verdict however they arrive: one at a time, or in pieces
  // whose sizes the input itself chooses (so the fuzzer explores the splits too).
  auto same = [&](HttpRequestParser& parser) {
    const ParseResult& r = parser.result();
    if (r.status != result.status || r.used != result.used || r.http_status != result.http_status ||
        r.reason != result.reason) {
      return false;
    }
    if (r.status != ParseStatus::complete) return true;
    const HttpRequest& q = parser.request();
    return q.method == request.method && q.target == request.target && q.path == request.path &&
           q.query == request.query && q.headers == request.headers && q.body == request.body &&
           q.http10 == request.http10;
  };
  HttpRequestParser octets(limits);
  for (std::size_t i = 0; i < size; ++i) octets.feed(input.substr(i, 1));
  if (!same(octets)) std::abort();
  HttpRequestParser pieces(limits);
  for (std::size_t at = 0, n = 0; at < size; at += n) {
    n = 1 + static_cast<std::size_t>(data[at]) % 61;
    pieces.feed(input.substr(at, n));
  }
  if (!same(pieces)) std::abort();
  // Whatever a client sends, the JSON we would echo holds no raw control characters.
  std::string json;
  JsonWriter::escape(input, json);
  for (const char c : json) {
    if (static_cast<unsigned char>(c) < 0x20) std::abort();
  }
  return 0;
}
