// SPDX-License-Identifier: Apache-2.0
// Loads a MaxMind database as a geo map does (open, walk into the prefix trie with one region
// per continent, merge) and reports the load time, the memory it took, the trie's size after
// merging, and the cost of a lookup against a map of a few hand-written networks.
//   gslbd-bench-geo FILE.mmdb [LOOKUPS]     (default 2,000,000 lookups)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gslbd/geo/geo_map.hpp"
#include "gslbd/geodb/maxmind_database.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// VmRSS or VmHWM of this process, in KiB.
long status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) return std::atol(line.c_str() + prefix.size());
  }
  return -1;
}

std::vector<gslbd::util::Client> random_clients(std::size_t n) {
  std::mt19937_64 rng(7);
  std::vector<gslbd::util::Client> clients(n);
  for (std::size_t i = 0; i < n; ++i) {
    gslbd::util::Client& c = clients[i];
    c.address.family = i % 4 == 0 ? 6 : 4;
    const std::uint64_t bits = rng();
    for (std::size_t b = 0; b < 8; ++b)
      c.address.bytes[b] = static_cast<std::uint8_t>(bits >> (8 * b));
    if (c.address.family == 6) {
      c.address.bytes[0] = 0x2a;
      c.address.bytes[1] = 0x00;
    } else {
      // The generated database fills 1.0.0.0 upwards.
      c.address.bytes[0] = static_cast<std::uint8_t>(1 + c.address.bytes[0] % 4);
    }
    c.prefix = c.address.family == 4 ? 24 : 56;
  }
  return clients;
}

double ns_per_lookup(const gslbd::geo::GeoMap& map,
                     const std::vector<gslbd::util::Client>& clients) {
  std::uint64_t sum = 0;
  const auto start = Clock::now();
  for (const auto& c : clients) sum += static_cast<std::uint64_t>(map.lookup(c).scope);
  const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  if (sum == 0) std::puts("");  // keeps the loop
  return ns / static_cast<double>(clients.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gslbd-bench-geo FILE.mmdb [LOOKUPS]\n");
    return 2;
  }
  const std::size_t lookups = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2'000'000;
  const long rss_before = status_kib("VmRSS");
  const auto start = Clock::now();
  std::string error;
  auto db = gslbd::geodb::MaxmindDatabase::open(argv[1], error);
  if (!db) {
    std::fprintf(stderr, "gslbd-bench-geo: %s: %s\n", argv[1], error.c_str());
    return 1;
  }
  gslbd::geo::GeoMap map;
  gslbd::geodb::RegionRules rules;
  for (const char* continent : {"AF", "AN", "AS", "EU", "NA", "OC", "SA"}) {
    rules.add(gslbd::geodb::GeoKeyKind::continent, continent, map.region_id(continent));
  }
  gslbd::geo::PrefixTrie layer;
  gslbd::geodb::WalkStats stats;
  error = db->walk([&rules](const gslbd::geodb::RecordKeys& k) { return rules.region_of(k); },
                   layer, stats);
  if (!error.empty()) {
    std::fprintf(stderr, "gslbd-bench-geo: %s: %s\n", argv[1], error.c_str());
    return 1;
  }
  map.set_database(std::move(layer));
  const double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  const long peak = status_kib("VmHWM");
  db.reset();  // the map keeps only the trie
  const long rss_after = status_kib("VmRSS");

  gslbd::geo::GeoMap inline_map;
  for (int i = 0; i < 16; ++i) {
    gslbd::util::Address a;
    a.family = 4;
    a.bytes[0] = static_cast<std::uint8_t>(1 + i % 4);
    a.bytes[1] = static_cast<std::uint8_t>(i * 16);
    inline_map.add(a, 12, i % 2 ? "EU" : "NA");
  }
  const auto clients = random_clients(lookups);
  const double inline_ns = ns_per_lookup(inline_map, clients);
  const double database_ns = ns_per_lookup(map, clients);

  std::printf("database          %s\n", argv[1]);
  std::printf("networks          %llu (%llu distinct records)\n",
              static_cast<unsigned long long>(stats.networks),
              static_cast<unsigned long long>(stats.records));
  std::printf("trie after merge  %zu nodes, %.1f MiB; strided form %zu slots, %.1f MiB\n",
              stats.trie_nodes, static_cast<double>(stats.trie_nodes) * 12 / 1048576.0,
              stats.strided_slots, static_cast<double>(stats.strided_slots) * 8 / 1048576.0);
  std::printf("load              %.0f ms\n", load_ms);
  std::printf("RSS               %.1f MiB kept, %.1f MiB peak (process: %.1f MiB before)\n",
              static_cast<double>(rss_after - rss_before) / 1024.0,
              static_cast<double>(peak - rss_before) / 1024.0,
              static_cast<double>(rss_before) / 1024.0);
  std::printf("lookup            %.1f ns (16 hand-written networks: %.1f ns, ratio %.2f)\n",
              database_ns, inline_ns, database_ns / inline_ns);
  return 0;
}
