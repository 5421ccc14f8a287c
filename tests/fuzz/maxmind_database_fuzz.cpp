// SPDX-License-Identifier: Apache-2.0
// Fuzz target for reading a MaxMind database into a geo map: whatever file an operator points a
// geo map at, open() refuses it with a reason or the walk builds a trie (or reports a corrupt
// tree), never a crash or an unbounded walk; and where it builds one, the trie answers every
// IPv4 address as libmaxminddb's own lookup does, in the binary and the strided form alike.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gslbd/geo/prefix_trie.hpp"
#include "gslbd/geodb/maxmind_database.hpp"

namespace {

using gslbd::geodb::RecordKeys;

// A small region per record, from what it says (so that the differential below has teeth).
std::int32_t classify(const RecordKeys& keys) {
  std::uint32_t h = keys.has_asn ? keys.asn : 0;
  for (const char c : keys.country) h = h * 31 + static_cast<unsigned char>(c);
  for (const char c : keys.continent) h = h * 37 + static_cast<unsigned char>(c);
  if (keys.subdivision_count != 0) h += static_cast<std::uint32_t>(keys.subdivision_count);
  return h == 0 ? gslbd::geo::PrefixTrie::kNone : static_cast<std::int32_t>(h % 7);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // libmaxminddb opens a path: give it one backed by memory.
  const int fd = memfd_create("mmdb", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  if (size != 0 && write(fd, data, size) != static_cast<ssize_t>(size)) std::abort();
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  std::string error;
  auto db = gslbd::geodb::MaxmindDatabase::open(path, error);
  if (!db) {
    if (error.empty()) std::abort();
    close(fd);
    return 0;
  }
  gslbd::geo::PrefixTrie trie;
  gslbd::geodb::WalkStats stats;
  if (db->walk(classify, trie, stats).empty()) {
    gslbd::geo::PrefixTrie binary = trie;
    binary.drop_compiled();
    for (std::uint32_t i = 0; i < 64; ++i) {
      gslbd::util::Client client;
      client.address.family = 4;
      const std::uint32_t a = i * 0x04000001u + (size > 0 ? data[i % size] : 0) * 0x10101u;
      for (std::size_t b = 0; b < 4; ++b) {
        client.address.bytes[b] = static_cast<std::uint8_t>(a >> (24 - 8 * b));
      }
      client.prefix = 32;
      const auto keys = db->lookup(client.address);
      const std::int32_t expected = keys ? classify(*keys) : gslbd::geo::PrefixTrie::kNone;
      const auto strided = trie.lookup(client);
      const auto walked = binary.lookup(client);
      // Both forms agree; and with libmaxminddb whenever it found the address.
      if (strided.value != walked.value || strided.scope != walked.scope) std::abort();
      if (keys && strided.value != expected) std::abort();
    }
  }
  close(fd);
  return 0;
}
