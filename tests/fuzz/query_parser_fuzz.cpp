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
  // Copy so that reads past the end are caught by ASan instead of landing in the caller's data.
  const std::vector<std::uint8_t> request(data, data + size);
  const std::size_t udp =
      gslbd::query::answer_query(*snapshot, request.data(), request.size(),
                                 gslbd::query::Transport::udp, out.data(), out.size());
  if (udp > 1232) std::abort();
  if (udp != 0 && (out[2] & 0x80) == 0) std::abort();  // every answer has QR set
  gslbd::query::answer_query(*snapshot, request.data(), request.size(),
                             gslbd::query::Transport::tcp, out.data(), out.size());
  return 0;
}
