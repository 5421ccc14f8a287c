// SPDX-License-Identifier: Apache-2.0
// The icmp check: runs where raw sockets are allowed (CAP_NET_RAW; CI runs as root), and
// otherwise checks the one clear error and says that the echo part was skipped.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop_helpers.hpp"

using namespace gslbd::probe::test;
using gslbd::health::CheckType;
using gslbd::health::InitialState;
using gslbd::probe::HealthLoop;

namespace {

bool raw_sockets_allowed() {
  const int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

bool ipv6_loopback() {
  const int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

// Only loopback is ever pinged: test traffic must not leave the machine, so the "no reply" case
// is not exercised here (a timeout is the same code path as for the tcp check).
TEST_CASE("icmp: echo to loopback comes up") {
  auto echo = fast_check(CheckType::icmp, 0);
  echo.timeout_ms = 500;
  echo.interval_ms = 600;
  echo.rise = 1;
  echo.fall = 1;
  std::vector<gslbd::probe::MonitoredMember> members{member("v4", 0, {echo}, InitialState::wait)};
  const bool v6 = ipv6_loopback();
  if (v6) members.push_back(member("v6", 1, {echo}, InitialState::wait, "::1"));
  auto p = plan(2, std::move(members));
  auto table = p.table;
  HealthLoop loop(64, 30);
  loop.start();
  loop.adopt(std::move(p));
  REQUIRE(wait_until([&] { return table->read(0).known; }));

  if (!raw_sockets_allowed()) {
    MESSAGE("icmp echo skipped: no CAP_NET_RAW here; checking the error instead");
    CHECK_FALSE(table->read(0).up);
    CHECK(loop.status()[0].last_error == "icmp check needs CAP_NET_RAW");
    loop.stop();
    return;
  }
  REQUIRE(wait_until([&] { return table->read(0).up; }));
  CHECK(table->read(0).rtt_us > 0);
  MESSAGE("icmp rtt to 127.0.0.1: " << table->read(0).rtt_us << " us");
  if (v6) {
    REQUIRE(wait_until([&] { return table->read(1).up; }));
  } else {
    MESSAGE("icmpv6 part skipped: no ::1 here");
  }
  loop.stop();
}
