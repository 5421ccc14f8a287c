// Fuzzes the whole query path on untrusted bytes: parse_query, the zone lookup and the response
// writer, over UDP and TCP limits, against a zone that has every kind of node. The answer must
// never exceed the limit of its transport, and parsing must never read outside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "../unit/query/test_zone.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto snapshot = test::example_snapshot();
  static std::vector<std::uint8_t> out(65535);
  const auto udp_context = test::client_context(gslbd::query::Transport::udp);
  const auto tcp_context = test::client_context(gslbd::query::Transport::tcp);
  udp_context.policy_state->prepare(*snapshot);
  // Copy so that reads past the end are caught by ASan instead of landing in the caller's data.
  const std::vector<std::uint8_t> request(data, data + size);
  const std::size_t udp = gslbd::query::answer_query(*snapshot, request.data(), request.size(),
                                                     udp_context, out.data(), out.size());
  if (udp > 1232) std::abort();
  if (udp != 0 && (out[2] & 0x80) == 0) std::abort();  // every answer has QR set
  gslbd::query::answer_query(*snapshot, request.data(), request.size(), tcp_context, out.data(),
                             out.size());
  return 0;
}
