// SPDX-License-Identifier: Apache-2.0
// GeoMap: longest-prefix match over IPv4/IPv6 tries, default routes, host routes, conflicting
// networks, and what a client's own (ECS) prefix lets it match.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "geo_test_support.hpp"
#include "gslbd/geo/geo_map.hpp"
#include "gslbd/geo/prefix_trie.hpp"

using gslbd::geo::GeoMap;
using gslbd::geo::GeoMatch;

namespace {

using test::address;
using test::client;
using test::region;

}  // namespace

TEST_CASE("geo map: longest prefix wins among overlapping networks") {
  GeoMap map;
  REQUIRE(map.add(address("10.0.0.0"), 8, "wide"));
  REQUIRE(map.add(address("10.1.0.0"), 16, "mid"));
  REQUIRE(map.add(address("10.1.2.0"), 24, "narrow"));

  GeoMatch m = map.lookup(client("10.1.2.3"));
  CHECK(region(map, m) == "narrow");
  CHECK(m.prefix == 24);
  CHECK(m.scope == 24);  // a leaf: nothing more specific below

  m = map.lookup(client("10.1.3.4"));
  CHECK(region(map, m) == "mid");
  CHECK(m.prefix == 16);
  // 10.1.2/24 sits inside the /16 and 10.1.3.4 differs from it only in bit 23: the answer
  // holds for 10.1.3/24, not for the whole /16.
  CHECK(m.scope == 24);

  m = map.lookup(client("10.200.0.1"));
  CHECK(region(map, m) == "wide");
  CHECK(m.prefix == 8);
  CHECK(m.scope == 9);  // 10.128/9 holds no more specific network

  m = map.lookup(client("11.0.0.1"));
  CHECK(m.region == -1);
  CHECK(m.prefix == 0);
  CHECK(m.scope == 8);  // 11/8 is as far as the walk got: every 11.x client is unmatched
}

TEST_CASE("geo map: a /0 default route matches every client of its family only") {
  GeoMap map;
  REQUIRE(map.add(address("0.0.0.0"), 0, "world"));
  REQUIRE(map.add(address("192.0.2.0"), 24, "doc"));
  GeoMatch m = map.lookup(client("8.8.8.8"));
  CHECK(region(map, m) == "world");
  CHECK(m.prefix == 0);
  CHECK(region(map, map.lookup(client("192.0.2.77"))) == "doc");
  // The v6 trie is separate: no default there.
  CHECK(map.lookup(client("2001:db8::1")).region == -1);
  // A lone /0 is a leaf: the answer is the same for everyone, scope 0.
  GeoMap only_default;
  REQUIRE(only_default.add(address("::"), 0, "world6"));
  m = only_default.lookup(client("2001:db8::1"));
  CHECK(region(only_default, m) == "world6");
  CHECK(m.scope == 0);
}

TEST_CASE("geo map: /32 and /128 host routes") {
  GeoMap map;
  REQUIRE(map.add(address("203.0.113.0"), 24, "net"));
  REQUIRE(map.add(address("203.0.113.9"), 32, "host"));
  REQUIRE(map.add(address("2001:db8::"), 32, "net6"));
  REQUIRE(map.add(address("2001:db8::53"), 128, "host6"));

  GeoMatch m = map.lookup(client("203.0.113.9"));
  CHECK(region(map, m) == "host");
  CHECK(m.prefix == 32);
  CHECK(region(map, map.lookup(client("203.0.113.8"))) == "net");
  m = map.lookup(client("2001:db8::53"));
  CHECK(region(map, m) == "host6");
  CHECK(m.prefix == 128);
  CHECK(m.scope == 128);
  CHECK(region(map, map.lookup(client("2001:db8::54"))) == "net6");
  CHECK(map.lookup(client("2001:db9::53")).region == -1);
  // A client that revealed only a /24 never matches the host route.
  m = map.lookup(client("203.0.113.0", 24));
  CHECK(region(map, m) == "net");
  CHECK(m.scope == 24);
}

TEST_CASE("geo map: networks more specific than the client's prefix are not matched") {
  GeoMap map;
  REQUIRE(map.add(address("198.51.100.0"), 24, "narrow"));
  GeoMatch m = map.lookup(client("198.51.0.0", 16));
  CHECK(m.region == -1);
  CHECK(m.scope == 16);  // the answer depends on (at most) what the client revealed
  REQUIRE(map.add(address("198.0.0.0"), 8, "wide"));
  m = map.lookup(client("198.51.0.0", 16));
  CHECK(region(map, m) == "wide");
  CHECK(m.prefix == 8);
  CHECK(m.scope == 16);
  // An ECS prefix of 0 can only match a /0.
  CHECK(map.lookup(client("198.51.100.1", 0)).region == -1);
  CHECK(map.lookup(client("198.51.100.1", 0)).scope == 0);
}

TEST_CASE("geo map: conflicting and invalid networks are refused") {
  GeoMap map;
  CHECK(map.add(address("10.0.0.0"), 8, "a"));
  CHECK(map.add(address("10.0.0.0"), 8, "a"));           // same again: fine
  CHECK_FALSE(map.add(address("10.9.9.9"), 8, "b"));     // host bits ignored: same network
  CHECK_FALSE(map.add(address("10.0.0.0"), 33, "a"));    // longer than IPv4
  CHECK_FALSE(map.add(address("::"), 129, "a"));         // longer than IPv6
  CHECK_FALSE(map.add(gslbd::util::Address{}, 0, "a"));  // no family
  CHECK(map.add(address("10.0.0.0"), 9, "b"));           // a different network
  CHECK(map.regions().size() == 2);                      // b only added once it was accepted
  CHECK(map.region_index("a") == 0);
  CHECK(map.region_index("b") == 1);
  CHECK(map.region_index("c") == -1);
  CHECK(region(map, map.lookup(client("10.1.0.0"))) == "b");
  CHECK(region(map, map.lookup(client("10.200.0.0"))) == "a");
  // Unknown family and empty maps find nothing.
  CHECK(map.lookup(gslbd::util::Client{}).region == -1);
  CHECK(GeoMap{}.lookup(client("10.0.0.1")).region == -1);
  CHECK(GeoMap{}.lookup(client("10.0.0.1")).scope == 0);
}

TEST_CASE("geo map: IPv6 longest prefix") {
  GeoMap map;
  REQUIRE(map.add(address("2001:db8::"), 32, "doc"));
  REQUIRE(map.add(address("2001:db8:e000::"), 48, "eu"));
  GeoMatch m = map.lookup(client("2001:db8:e001::1"));
  CHECK(region(map, m) == "doc");
  CHECK(m.prefix == 32);
  CHECK(m.scope == 48);  // it differs from the /48 only in bit 47
  m = map.lookup(client("2001:db8:e000::42"));
  CHECK(region(map, m) == "eu");
  CHECK(m.prefix == 48);
  m = map.lookup(client("2001:db8:e000::", 56));
  CHECK(region(map, m) == "eu");
  m = map.lookup(client("2001:db8:e000::", 40));
  CHECK(region(map, m) == "doc");
  CHECK(m.scope == 40);
}

TEST_CASE("prefix trie: the strided form answers exactly as the binary walk") {
  // Random networks (nested, adjacent, host routes, /0) and random clients with every kind of
  // prefix, odd ECS lengths included: the compiled lookup must give the same value, prefix
  // and scope as the binary one.
  std::mt19937_64 rng(99);
  gslbd::geo::PrefixTrie trie;
  const auto random_address = [&rng](std::uint8_t family) {
    gslbd::util::Address a;
    a.family = family;
    const std::uint64_t hi = rng();
    const std::uint64_t lo = rng();
    for (std::size_t b = 0; b < 8; ++b) {
      a.bytes[b] = static_cast<std::uint8_t>(hi >> (8 * b));
      a.bytes[b + 8] = static_cast<std::uint8_t>(lo >> (8 * b));
    }
    // Crowd the addresses so that networks nest and clients land in them.
    a.bytes[0] = static_cast<std::uint8_t>(a.bytes[0] & 0x03);
    return a;
  };
  for (int i = 0; i < 3000; ++i) {
    const std::uint8_t family = i % 3 == 0 ? 6 : 4;
    const unsigned width = family == 4 ? 32 : 128;
    const unsigned prefix = i == 0 ? 0 : static_cast<unsigned>(rng() % (width + 1));
    trie.insert(gslbd::util::masked(random_address(family), prefix), prefix,
                static_cast<std::int32_t>(rng() % 5));
  }
  std::vector<gslbd::util::Client> clients;
  for (int i = 0; i < 20000; ++i) {
    gslbd::util::Client c;
    c.address = random_address(i % 2 ? 6 : 4);
    const unsigned width = c.address.family == 4 ? 32 : 128;
    c.prefix = static_cast<std::uint8_t>(i % 5 == 0 ? width : rng() % (width + 1));
    c.address = gslbd::util::masked(c.address, c.prefix);
    clients.push_back(c);
  }
  std::vector<gslbd::geo::PrefixTrie::Match> binary;
  for (const auto& c : clients) binary.push_back(trie.lookup(c));
  REQUIRE(trie.compile());
  REQUIRE(trie.compiled());
  int same = 0;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    const auto m = trie.lookup(clients[i]);
    if (m.value == binary[i].value && m.prefix == binary[i].prefix && m.scope == binary[i].scope) {
      ++same;
    } else {
      FAIL_CHECK("client " << gslbd::util::address_text(clients[i].address) << "/"
                           << int(clients[i].prefix) << ": strided " << m.value << "/"
                           << int(m.prefix) << " scope " << int(m.scope) << ", binary "
                           << binary[i].value << "/" << int(binary[i].prefix) << " scope "
                           << int(binary[i].scope));
    }
  }
  CHECK(same == static_cast<int>(clients.size()));
  // A change drops the strided form; lookups stay right.
  trie.insert(clients[0].address, clients[0].prefix, 7);
  CHECK_FALSE(trie.compiled());
  CHECK(trie.lookup(clients[0]).value == 7);
}
