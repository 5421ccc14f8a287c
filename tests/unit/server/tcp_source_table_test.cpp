// SPDX-License-Identifier: Apache-2.0
#include "tcp_source_table.hpp"

#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "gslbd/util/rng.hpp"

using gslbd::server::TcpSourceTable;
using gslbd::util::Address;
using gslbd::util::parse_address;

namespace {

Address addr(const char* text) {
  return *parse_address(text);
}

}  // namespace

TEST_CASE("a network gets at most `limit` connections, and a freed one can be reused") {
  TcpSourceTable table(64, 32, 64, 1);
  const Address attacker = table.network(addr("127.0.0.3"));
  for (int i = 0; i < 16; ++i) CHECK(table.try_add(attacker, 16));
  CHECK_FALSE(table.try_add(attacker, 16));
  CHECK(table.count(attacker) == 16);
  // Another source is not affected.
  const Address client = table.network(addr("127.0.0.2"));
  CHECK(table.try_add(client, 16));
  CHECK(table.networks() == 2);
  table.remove(attacker);
  CHECK(table.count(attacker) == 15);
  CHECK(table.try_add(attacker, 16));
  CHECK_FALSE(table.try_add(attacker, 16));
  for (int i = 0; i < 16; ++i) table.remove(attacker);
  CHECK(table.count(attacker) == 0);
  CHECK(table.networks() == 1);
}

TEST_CASE("limit 0 counts without limiting") {
  TcpSourceTable table(4, 32, 64, 1);
  const Address a = table.network(addr("192.0.2.1"));
  for (int i = 0; i < 1000; ++i) CHECK(table.try_add(a, 0));
  CHECK(table.count(a) == 1000);
}

TEST_CASE("addresses are grouped by the configured prefixes") {
  TcpSourceTable table(16, 24, 64, 7);
  CHECK(table.network(addr("198.51.100.7")) == table.network(addr("198.51.100.200")));
  CHECK_FALSE(table.network(addr("198.51.100.7")) == table.network(addr("198.51.101.7")));
  CHECK(table.network(addr("2001:db8:1:2::1")) == table.network(addr("2001:db8:1:2:ffff::9")));
  CHECK_FALSE(table.network(addr("2001:db8:1:2::1")) == table.network(addr("2001:db8:1:3::1")));
  CHECK(table.try_add(table.network(addr("2001:db8:1:2::1")), 2));
  CHECK(table.try_add(table.network(addr("2001:db8:1:2::2")), 2));
  CHECK_FALSE(table.try_add(table.network(addr("2001:db8:1:2::3")), 2));
  // 2001:db8::/64 written as IPv4-length bytes must not meet an IPv4 network of the same octets.
  CHECK(table.try_add(table.network(addr("32.1.13.184")), 2));
  CHECK(table.networks() == 2);

  TcpSourceTable host(16, 32, 128, 7);
  CHECK_FALSE(host.network(addr("2001:db8::1")) == host.network(addr("2001:db8::2")));
}

TEST_CASE("the table holds at most max_networks networks") {
  TcpSourceTable table(3, 32, 128, 3);
  CHECK(table.try_add(table.network(addr("10.0.0.1")), 16));
  CHECK(table.try_add(table.network(addr("10.0.0.2")), 16));
  CHECK(table.try_add(table.network(addr("10.0.0.3")), 16));
  CHECK_FALSE(table.try_add(table.network(addr("10.0.0.4")), 16));
  CHECK(table.try_add(table.network(addr("10.0.0.3")), 16));  // a known one still counts
  table.remove(table.network(addr("10.0.0.1")));
  CHECK(table.try_add(table.network(addr("10.0.0.4")), 16));
}

TEST_CASE("random adds and removes agree with a reference map") {
  // Many networks in a small table: long probe runs, and removals that shift them back.
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    TcpSourceTable table(200, 32, 128, seed);
    std::map<std::uint32_t, std::uint32_t> reference;  // low 32 bits of the address -> count
    gslbd::util::Rng rng(seed);
    auto network_of = [&](std::uint32_t n) {
      Address a;
      a.family = 6;
      a.bytes[12] = static_cast<std::uint8_t>(n >> 24);
      a.bytes[13] = static_cast<std::uint8_t>(n >> 16);
      a.bytes[14] = static_cast<std::uint8_t>(n >> 8);
      a.bytes[15] = static_cast<std::uint8_t>(n);
      return table.network(a);
    };
    for (int step = 0; step < 50'000; ++step) {
      const auto n = static_cast<std::uint32_t>(rng.below(300));
      if (rng.below(2) == 0) {
        const bool known = reference.count(n) != 0;
        const bool room = known || reference.size() < 200;
        const bool under = !known || reference[n] < 3;
        REQUIRE(table.try_add(network_of(n), 3) == (room && under));
        if (room && under) ++reference[n];
      } else if (reference.count(n) != 0) {
        table.remove(network_of(n));
        if (--reference[n] == 0) reference.erase(n);
      }
      if (step % 1000 == 0) {
        REQUIRE(table.networks() == reference.size());
        for (const auto& [key, count] : reference) REQUIRE(table.count(network_of(key)) == count);
      }
    }
  }
}
