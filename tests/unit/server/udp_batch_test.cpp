// SPDX-License-Identifier: Apache-2.0
// UdpBatch on real loopback sockets: a wildcard listener answers each query from the address it
// was sent to, and that path (control messages in and out) allocates nothing per packet once
// warm (the counting operator new of unit/pool/counting_new.cpp).
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "../pool/counting_new.hpp"
#include "../query/test_zone.hpp"
#include "answerer.hpp"
#include "gslbd/server/listen_sockets.hpp"
#include "udp_batch.hpp"

namespace {

using gslbd::server::UdpBatch;

// One listener's UDP socket for one worker, opened the way the server opens it; made blocking
// with a short receive timeout as the receiver does, so serve_once never waits long.
int open_udp(const std::string& host) {
  std::string error;
  auto sockets = gslbd::server::open_listen_sockets({{host, 0}}, 1, error);
  REQUIRE_MESSAGE(sockets.size() == 1, error);
  const int fd = sockets[0].udp.at(0);
  sockets[0].udp.clear();  // ours now; the TCP listener is not needed
  gslbd::server::close_sockets(sockets);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  const timeval wait{0, 200'000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  return fd;
}

sockaddr_storage address(const char* host, std::uint16_t port) {
  sockaddr_storage out{};
  if (std::strchr(host, ':') != nullptr) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    inet_pton(AF_INET6, host, &sin6->sin6_addr);
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    inet_pton(AF_INET, host, &sin->sin_addr);
  }
  return out;
}

std::uint16_t bound_port(int fd) {
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  return ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

bool same_address(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET6) {
    const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
    return x.sin6_port == y.sin6_port &&
           std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
  }
  const auto& x = reinterpret_cast<const sockaddr_in&>(a);
  const auto& y = reinterpret_cast<const sockaddr_in&>(b);
  return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
}

bool ipv6_loopback_works() {
  const int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  const sockaddr_storage any = address("::1", 0);
  const bool ok = bind(fd, reinterpret_cast<const sockaddr*>(&any), sizeof(sockaddr_in6)) == 0;
  close(fd);
  return ok;
}

// A server batch on `wildcard` and a client asking it at each of `targets`.
struct Rig {
  static constexpr std::size_t kTargets = 3;
  static constexpr std::size_t kRounds = 50;

  Rig(const std::string& wildcard, const char* const (&hosts)[kTargets])
      : fd(open_udp(wildcard)),
        publisher(),
        answerer(publisher, std::uint64_t{7}),
        batch(UdpBatch::reports_destination(fd)) {
    publisher.publish(test::example_snapshot()->config);
    const std::uint16_t port = bound_port(fd);
    for (std::size_t i = 0; i < kTargets; ++i) targets[i] = address(hosts[i], port);
    client = socket(targets[0].ss_family, SOCK_DGRAM, 0);
    const timeval wait{2, 0};
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    query = test::make_query("www.example.test.", 1);
  }
  ~Rig() {
    close(client);
    close(fd);
  }

  // Sends one query to each target, serves them and reads the answers. Returns how many
  // answers came from the address their query was sent to (by query id). Allocation-free.
  std::size_t round(std::uint16_t first_id) {
    for (std::size_t i = 0; i < kTargets; ++i) {
      const auto id = static_cast<std::uint16_t>(first_id + i);
      query[0] = static_cast<std::uint8_t>(id >> 8);
      query[1] = static_cast<std::uint8_t>(id);
      sendto(client, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&targets[i]),
             sizeof(sockaddr_storage));
    }
    std::size_t served = 0;
    for (int tries = 0; served < kTargets && tries < 10; ++tries) {
      served += batch.serve_once(fd, answerer);
    }
    std::size_t right = 0;
    for (std::size_t n = 0; n < kTargets; ++n) {
      std::uint8_t reply[512];
      sockaddr_storage from{};
      socklen_t from_len = sizeof from;
      const ssize_t got =
          recvfrom(client, reply, sizeof reply, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (got < 12) break;
      const std::size_t i = static_cast<std::size_t>(((reply[0] << 8) | reply[1]) - first_id);
      if (i < kTargets && same_address(from, targets[i])) ++right;
    }
    return right;
  }

  int fd;
  gslbd::runtime::SnapshotPublisher publisher;
  gslbd::server::Answerer answerer;
  UdpBatch batch;
  sockaddr_storage targets[kTargets];
  int client = -1;
  std::vector<std::uint8_t> query;
};

void check_wildcard(const std::string& wildcard, const char* const (&hosts)[Rig::kTargets]) {
  Rig rig(wildcard, hosts);
  REQUIRE(UdpBatch::reports_destination(rig.fd));
  CHECK(rig.round(0x100) == Rig::kTargets);  // warm: the snapshot copy, the policy state
  const long before = test::allocation_count();
  std::size_t right = 0;
  for (std::size_t r = 0; r < Rig::kRounds; ++r) {
    right += rig.round(static_cast<std::uint16_t>(0x200 + r * Rig::kTargets));
  }
  CHECK(test::allocation_count() == before);
  CHECK(right == Rig::kRounds * Rig::kTargets);
}

}  // namespace

TEST_CASE("a 0.0.0.0 listener answers from each queried address and allocates nothing") {
  const char* const hosts[] = {"127.0.0.1", "127.0.0.2", "127.0.0.3"};
  check_wildcard("0.0.0.0", hosts);
}

// Loopback has one IPv6 address, which the kernel would choose anyway: this proves the IPv6
// control path allocation-free; the system test's namespaces check IPv6 sources.
TEST_CASE("a [::] listener answers from the queried address and allocates nothing") {
  if (!ipv6_loopback_works()) {
    MESSAGE("skipped: no IPv6 loopback here");
    return;
  }
  const char* const hosts[] = {"::1", "::1", "::1"};
  check_wildcard("::", hosts);
}

TEST_CASE("specific-address listeners skip the destination work") {
  for (const char* host : {"127.0.0.1", "::1"}) {
    if (std::strchr(host, ':') != nullptr && !ipv6_loopback_works()) continue;
    const int fd = open_udp(host);
    CHECK_MESSAGE(!UdpBatch::reports_destination(fd), host);
    close(fd);
  }
}
