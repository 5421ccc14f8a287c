// Fuzz target for the control endpoint's HTTP request parser (and the JSON string escaper that
// echoes request data back). The fuzz CMake links every target to the query and config
// libraries only, so the two dependency-free control sources are compiled in here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../../src/control/http_request.cpp"
#include "../../src/control/json_writer.cpp"

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
  // The same bytes give the same verdict (the parser keeps no state between calls).
  HttpRequest again;
  const ParseResult second = parse_http_request(input, limits, again);
  if (second.status != result.status || second.used != result.used ||
      second.http_status != result.http_status) {
    std::abort();
  }
  // Whatever a client sends, the JSON we would echo holds no raw control characters.
  std::string json;
  JsonWriter::escape(input, json);
  for (const char c : json) {
    if (static_cast<unsigned char>(c) < 0x20) std::abort();
  }
  return 0;
}
