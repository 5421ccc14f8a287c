// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the stub resolver's reply checks: whatever arrives on the health loop's
// resolver socket (UDP, or a TCP reply without its length), the verdict is in range, believed
// addresses number at most the bound and are the distinct lowest in ascending order, and the
// same input gives the same verdict. The first two octets of the input are taken as the
// query's ID (so that inputs reach past the header), the third octet's AA bit picks AAAA over A;
// the name asked is app.cloud.test. The fuzz CMake links the query and config libraries (and
// with them dns, which the parser uses), not the probe module, so the parser source is compiled
// in here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "probe/resolver_reply.cpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gslbd::probe::Reply;
  using gslbd::probe::ReplyStatus;
  static constexpr char kName[] =
      "\x03"
      "app\x05"
      "cloud\x04"
      "test";
  const std::string_view name(kName, sizeof kName);  // with the root label's 0
  const std::uint16_t id = size >= 2 ? static_cast<std::uint16_t>((data[0] << 8) | data[1]) : 0;
  const std::uint16_t type =
      size >= 3 && (data[2] & 0x04) != 0 ? gslbd::probe::kTypeAAAA : gslbd::probe::kTypeA;
  const std::span<const std::uint8_t> message(data, size);
  const Reply reply = gslbd::probe::parse_resolver_reply(message, id, name, type);
  if (reply.status > ReplyStatus::malformed) std::abort();
  if (reply.count > gslbd::probe::kMaxReplyAddresses) std::abort();
  if ((reply.status == ReplyStatus::addresses) != (reply.count > 0)) std::abort();
  if (reply.ttl > 0x7fffffffu) std::abort();
  // The addresses taken are distinct and ascending (the lowest of the reply), never more than
  // the records read, and an A address leaves the rest of its slot zero.
  if (reply.records < reply.count) std::abort();
  const std::size_t octets = type == gslbd::probe::kTypeA ? 4 : 16;
  for (std::size_t i = 0; i < reply.count; ++i) {
    for (std::size_t o = octets; o < 16; ++o) {
      if (reply.address[i][o] != 0) std::abort();
    }
    if (i > 0 && std::memcmp(reply.address[i - 1].data(), reply.address[i].data(), octets) >= 0) {
      std::abort();
    }
  }
  const Reply again = gslbd::probe::parse_resolver_reply(message, id, name, type);
  if (again.status != reply.status || again.count != reply.count || again.ttl != reply.ttl ||
      again.records != reply.records ||
      std::memcmp(again.address.data(), reply.address.data(), sizeof reply.address) != 0) {
    std::abort();
  }
  // The query for the same name is well formed and reads back as not a reply (QR clear).
  std::uint8_t query[gslbd::probe::kMaxResolverQuery];
  const std::size_t length = gslbd::probe::build_resolver_query(name, type, id, query);
  if (length == 0) std::abort();
  if (gslbd::probe::parse_resolver_reply({query, length}, id, name, type).status !=
      ReplyStatus::not_ours) {
    std::abort();
  }
  return 0;
}
