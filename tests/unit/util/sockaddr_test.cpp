// SPDX-License-Identifier: Apache-2.0
// The one sockaddr -> Address conversion (an IPv4-mapped IPv6 peer is its IPv4 address) and
// the one loopback rule, on addresses taken from real sockets where the kernel gives them.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "gslbd/util/sockaddr.hpp"

using gslbd::util::Address;
using gslbd::util::client_address;
using gslbd::util::is_loopback;
using gslbd::util::is_loopback_host;

namespace {

sockaddr_storage v6(const char* text, std::uint16_t port) {
  sockaddr_storage out{};
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  REQUIRE(inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1);
  return out;
}

sockaddr_storage v4(const char* text, std::uint16_t port) {
  sockaddr_storage out{};
  auto* sin = reinterpret_cast<sockaddr_in*>(&out);
  sin->sin_family = AF_INET;
  sin->sin_port = htons(port);
  REQUIRE(inet_pton(AF_INET, text, &sin->sin_addr) == 1);
  return out;
}

}  // namespace

TEST_CASE("client_address: IPv4, IPv6, and an IPv4-mapped peer is its IPv4 address") {
  std::uint16_t port = 0;
  const Address a = client_address(v4("192.0.2.7", 53), &port);
  CHECK(a == *gslbd::util::parse_address("192.0.2.7"));
  CHECK(port == 53);
  const Address b = client_address(v6("2001:db8::1", 5300), &port);
  CHECK(b == *gslbd::util::parse_address("2001:db8::1"));
  CHECK(port == 5300);
  const Address mapped = client_address(v6("::ffff:198.51.100.9", 9253), &port);
  CHECK(mapped.family == 4);
  CHECK(mapped == *gslbd::util::parse_address("198.51.100.9"));
  CHECK(port == 9253);
  // Only the ::ffff:0:0/96 prefix is unmapped (not the deprecated IPv4-compatible ::a.b.c.d).
  CHECK(client_address(v6("::198.51.100.9", 1)).family == 6);
  sockaddr_storage unix_like{};
  unix_like.ss_family = AF_UNIX;
  CHECK(client_address(unix_like).family == 0);
}

TEST_CASE("client_address: a dual-stack socket's IPv4 peer, as the kernel reports it") {
  const int server = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (server < 0) {
    MESSAGE("skipped: no IPv6 sockets here");
    return;
  }
  const int off = 0;
  REQUIRE(setsockopt(server, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == 0);
  sockaddr_storage any = v6("::", 0);
  REQUIRE(bind(server, reinterpret_cast<sockaddr*>(&any), sizeof(sockaddr_in6)) == 0);
  REQUIRE(listen(server, 1) == 0);
  socklen_t len = sizeof any;
  REQUIRE(getsockname(server, reinterpret_cast<sockaddr*>(&any), &len) == 0);
  const std::uint16_t port = ntohs(reinterpret_cast<sockaddr_in6*>(&any)->sin6_port);

  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_storage target = v4("127.0.0.1", port);
  REQUIRE(connect(client, reinterpret_cast<sockaddr*>(&target), sizeof(sockaddr_in)) == 0);
  sockaddr_storage peer{};
  len = sizeof peer;
  const int accepted = accept(server, reinterpret_cast<sockaddr*>(&peer), &len);
  REQUIRE(accepted >= 0);
  CHECK(peer.ss_family == AF_INET6);  // ::ffff:127.0.0.1 as the socket sees it
  const Address seen = client_address(peer);
  CHECK(seen == *gslbd::util::parse_address("127.0.0.1"));
  CHECK(is_loopback(seen));
  ::close(accepted);
  ::close(client);
  ::close(server);
}

TEST_CASE("loopback: 127.0.0.0/8, ::1 and the mapped 127/8, names are not addresses") {
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("127.255.0.9"));
  CHECK(is_loopback_host("::1"));
  CHECK(is_loopback_host("::ffff:127.0.0.1"));
  CHECK_FALSE(is_loopback_host("0.0.0.0"));
  CHECK_FALSE(is_loopback_host("::"));
  CHECK_FALSE(is_loopback_host("192.0.2.1"));
  CHECK_FALSE(is_loopback_host("::ffff:192.0.2.1"));
  CHECK_FALSE(is_loopback_host("::2"));
  CHECK_FALSE(is_loopback_host("localhost"));
  CHECK_FALSE(is_loopback_host("127.foo"));
  CHECK_FALSE(is_loopback(Address{}));
}
