// SPDX-License-Identifier: Apache-2.0
// The stub resolver against a real UDP server on loopback: it ignores a forged reply (wrong ID)
// and garbage sent before the real one, takes A and AAAA with the smallest TTL, asks a
// truncated reply again over TCP, reports NXDOMAIN at once, and a silent resolver after its
// tries, within the bound.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "probe/name_lookup.hpp"
#include "probe/resolver_reply.hpp"

namespace {

using gslbd::probe::NameLookup;
using gslbd::probe::Resolution;
using gslbd::probe::ResolverEndpoint;

const std::string kName(
    "\x03"
    "app\x05"
    "cloud\x04"
    "test",
    16);

enum class Mode { answer, nxdomain, silent };

// Reads time out after 50 ms, so that a serving thread sees its stop flag.
void set_read_timeout(int fd) {
  const timeval tv{0, 50'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

// A UDP socket on 127.0.0.1, on a port the kernel chose; its address goes to *bound. Reads on
// it time out (set_read_timeout).
int loopback_udp_socket(sockaddr_in* bound) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t length = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0);
  set_read_timeout(fd);
  *bound = addr;
  return fd;
}

// A UDP "resolver" on 127.0.0.1: answers each query as mode says, after a forged reply and a
// datagram of garbage. Stops with the object.
class FakeResolver {
 public:
  explicit FakeResolver(Mode mode) : mode_(mode) {
    sockaddr_in addr{};
    fd_ = loopback_udp_socket(&addr);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeResolver() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  int queries() const { return queries_; }

 private:
  void serve() {
    std::uint8_t buf[512];
    while (!stop_) {
      sockaddr_in from{};
      socklen_t length = sizeof from;
      const ssize_t n =
          ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &length);
      if (n < 12) continue;
      ++queries_;
      if (mode_ == Mode::silent) continue;
      const auto* peer = reinterpret_cast<const sockaddr*>(&from);
      // The question ends before the OPT record (11 octets).
      const std::size_t question = static_cast<std::size_t>(n) - 11;
      const bool aaaa = buf[question - 3] == 28;
      std::vector<std::uint8_t> reply(buf, buf + question);
      reply[2] = 0x81;
      reply[3] = mode_ == Mode::nxdomain ? 0x83 : 0x80;
      reply[11] = 0;  // no additional
      if (mode_ == Mode::answer) {
        reply[7] = 1;
        const std::uint8_t rr_a[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 40, 0, 4, 127, 0, 0, 3};
        const std::uint8_t rr_aaaa[] = {0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 20, 0, 16, 0, 0,
                                        0,    0,  0, 0,  0, 0, 0, 0, 0, 0,  0, 0,  0, 1};
        if (aaaa) {
          reply.insert(reply.end(), std::begin(rr_aaaa), std::end(rr_aaaa));
        } else {
          reply.insert(reply.end(), std::begin(rr_a), std::end(rr_a));
        }
      }
      std::vector<std::uint8_t> forged = reply;
      forged[1] ^= 0x5a;  // another ID
      forged[forged.size() - 1] ^= 0x7;
      const std::uint8_t garbage[] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3};
      ::sendto(fd_, forged.data(), forged.size(), 0, peer, length);
      ::sendto(fd_, garbage, sizeof garbage, 0, peer, length);
      ::sendto(fd_, reply.data(), reply.size(), 0, peer, length);
    }
  }

  Mode mode_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

// A "resolver" on 127.0.0.1 that answers every UDP query with TC set and no records, and the
// same query over TCP (same port) with `count` A records, 10.0.0.count down to 10.0.0.1, or
// NODATA for AAAA. Stops with the object.
class TruncatingResolver {
 public:
  explicit TruncatingResolver(int count) : count_(count) {
    for (int attempt = 0; attempt < 50 && tcp_ < 0; ++attempt) {
      sockaddr_in addr{};
      udp_ = loopback_udp_socket(&addr);
      tcp_ = ::socket(AF_INET, SOCK_STREAM, 0);
      if (::bind(tcp_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
          ::listen(tcp_, 8) != 0) {
        ::close(tcp_);
        ::close(udp_);
        tcp_ = -1;
        continue;
      }
      port_ = ntohs(addr.sin_port);
    }
    REQUIRE(tcp_ >= 0);
    set_read_timeout(tcp_);
    thread_ = std::thread([this] { serve(); });
  }
  ~TruncatingResolver() {
    stop_ = true;
    thread_.join();
    ::close(udp_);
    ::close(tcp_);
  }
  std::uint16_t port() const { return port_; }
  int udp_queries() const { return udp_queries_; }
  int tcp_queries() const { return tcp_queries_; }

 private:
  // The query echoed as a reply header and question (its OPT record dropped).
  static std::vector<std::uint8_t> reply_head(const std::uint8_t* query, std::size_t size) {
    std::vector<std::uint8_t> reply(query, query + size - 11);
    reply[2] = 0x81;
    reply[3] = 0x80;
    reply[11] = 0;
    return reply;
  }

  void serve() {
    std::uint8_t buf[512];
    while (!stop_) {
      sockaddr_in from{};
      socklen_t length = sizeof from;
      const ssize_t n =
          ::recvfrom(udp_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &length);
      if (n >= 12 + 11) {
        ++udp_queries_;
        std::vector<std::uint8_t> reply = reply_head(buf, static_cast<std::size_t>(n));
        reply[2] = static_cast<std::uint8_t>(reply[2] | 0x02);  // TC
        ::sendto(udp_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), length);
      }
      const int conn = ::accept(tcp_, nullptr, nullptr);
      if (conn < 0) continue;
      timeval tv{1, 0};
      ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      std::uint8_t frame[2 + 512];
      std::size_t have = 0;
      while (have < 2 || have < 2 + ((std::size_t{frame[0]} << 8) | frame[1])) {
        const ssize_t got = ::recv(conn, frame + have, sizeof frame - have, 0);
        if (got <= 0) break;
        have += static_cast<std::size_t>(got);
      }
      const std::size_t size = have >= 2 ? (std::size_t{frame[0]} << 8) | frame[1] : 0;
      if (have >= 2 + size && size >= 12 + 11) {
        ++tcp_queries_;
        std::vector<std::uint8_t> reply = reply_head(frame + 2, size);
        const bool aaaa = frame[2 + size - 11 - 3] == 28;
        if (!aaaa) {
          reply[6] = static_cast<std::uint8_t>(count_ >> 8);
          reply[7] = static_cast<std::uint8_t>(count_ & 0xff);
          for (int i = count_; i >= 1; --i) {
            const std::uint8_t rr[] = {0xc0,
                                       12,
                                       0,
                                       1,
                                       0,
                                       1,
                                       0,
                                       0,
                                       0,
                                       60,
                                       0,
                                       4,
                                       10,
                                       0,
                                       static_cast<std::uint8_t>(i >> 8),
                                       static_cast<std::uint8_t>(i & 0xff)};
            reply.insert(reply.end(), std::begin(rr), std::end(rr));
          }
        }
        std::vector<std::uint8_t> framed{static_cast<std::uint8_t>(reply.size() >> 8),
                                         static_cast<std::uint8_t>(reply.size() & 0xff)};
        framed.insert(framed.end(), reply.begin(), reply.end());
        // In two writes, so that the lookup reassembles the frame.
        ::send(conn, framed.data(), 1, MSG_NOSIGNAL);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ::send(conn, framed.data() + 1, framed.size() - 1, MSG_NOSIGNAL);
      }
      ::close(conn);
    }
  }

  int count_;
  int udp_ = -1;
  int tcp_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> udp_queries_{0};
  std::atomic<int> tcp_queries_{0};
  std::thread thread_;
};

std::optional<Resolution> resolve(std::uint16_t port, std::chrono::milliseconds* took) {
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  std::optional<Resolution> result;
  const std::vector<ResolverEndpoint> resolvers{{*gslbd::util::parse_address("127.0.0.1"), port}};
  const auto start = std::chrono::steady_clock::now();
  NameLookup::start(&loop, resolvers, kName, [&](Resolution r) { result = std::move(r); });
  uv_run(&loop, UV_RUN_DEFAULT);  // ends when the lookup has closed its handles
  *took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                start);
  CHECK(uv_loop_close(&loop) == 0);
  return result;
}

}  // namespace

TEST_CASE("a lookup ignores forged and garbage replies and takes A and AAAA") {
  FakeResolver server(Mode::answer);
  std::chrono::milliseconds took{};
  const auto r = resolve(server.port(), &took);
  REQUIRE(r);
  INFO(r->error);
  CHECK(r->ok);
  REQUIRE(r->addresses.size() == 2);
  CHECK(gslbd::util::address_text(r->addresses[0]) == "127.0.0.3");
  CHECK(gslbd::util::address_text(r->addresses[1]) == "::1");
  CHECK(r->ttl == 20);
  CHECK(server.queries() == 2);
  CHECK(took < std::chrono::milliseconds(900));  // no try waited out its time
}

TEST_CASE("a truncated reply is asked again over TCP, and the lowest addresses are taken") {
  // 300 A records: about 4.8 KB, more than any UDP answer to this query.
  TruncatingResolver server(300);
  std::chrono::milliseconds took{};
  const auto r = resolve(server.port(), &took);
  REQUIRE(r);
  INFO(r->error);
  CHECK(r->ok);
  REQUIRE(r->addresses.size() == gslbd::probe::kMaxReplyAddresses);
  for (std::size_t i = 0; i < r->addresses.size(); ++i) {
    CHECK(gslbd::util::address_text(r->addresses[i]) == "10.0.0." + std::to_string(i + 1));
  }
  CHECK(r->offered[0] == 300);
  CHECK(r->offered[1] == 0);
  CHECK(server.udp_queries() == 2);  // A and AAAA, each truncated
  CHECK(server.tcp_queries() == 2);
  CHECK(took < std::chrono::milliseconds(900));
}

TEST_CASE("NXDOMAIN ends the lookup at once with the resolver named") {
  FakeResolver server(Mode::nxdomain);
  std::chrono::milliseconds took{};
  const auto r = resolve(server.port(), &took);
  REQUIRE(r);
  CHECK_FALSE(r->ok);
  CHECK(r->error == "NXDOMAIN from 127.0.0.1:" + std::to_string(server.port()));
  CHECK(server.queries() == 1);
}

TEST_CASE("a silent resolver fails the lookup after its tries, within the bound") {
  FakeResolver server(Mode::silent);
  std::chrono::milliseconds took{};
  const auto r = resolve(server.port(), &took);
  REQUIRE(r);
  CHECK_FALSE(r->ok);
  CHECK(r->error.find("no reply within 1000 ms from 127.0.0.1:") == 0);
  CHECK(server.queries() == gslbd::probe::kAttemptsPerType);
  CHECK(took >= std::chrono::milliseconds(
                    gslbd::probe::kQueryTimeoutMs * gslbd::probe::kAttemptsPerType - 50));
  CHECK(took < std::chrono::milliseconds(gslbd::probe::kQueryTimeoutMs *
                                         (gslbd::probe::kAttemptsPerType + 2)));
}

TEST_CASE("no resolver: the lookup fails on the next loop turn, never inside start") {
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  bool called = false;
  std::string error;
  NameLookup::start(&loop, {}, kName, [&](Resolution r) {
    called = true;
    error = r.error;
  });
  CHECK_FALSE(called);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(called);
  CHECK(error == "no resolver is configured");
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("a cancelled lookup never calls back and frees itself") {
  FakeResolver server(Mode::silent);
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  bool called = false;
  const std::vector<ResolverEndpoint> resolvers{
      {*gslbd::util::parse_address("127.0.0.1"), server.port()}};
  NameLookup* lookup =
      NameLookup::start(&loop, resolvers, kName, [&](Resolution) { called = true; });
  uv_run(&loop, UV_RUN_NOWAIT);
  lookup->cancel();
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK_FALSE(called);
  CHECK(uv_loop_close(&loop) == 0);
}

namespace {

gslbd::probe::MonitoredMember name_member(std::uint16_t port) {
  gslbd::probe::MonitoredMember m;
  m.key = "cloud/app";
  m.slot = 0;
  m.target_name = "app.cloud.test.";
  m.target_wire = kName;
  gslbd::health::CheckSpec check;
  check.name = "tcp";
  check.type = gslbd::health::CheckType::tcp;
  check.port = port;
  check.interval_ms = 100;
  check.timeout_ms = 80;
  check.rise = 1;
  check.fall = 1;
  m.checks = {check};
  m.initial = gslbd::health::InitialState::down;
  return m;
}

gslbd::probe::MonitorPlan name_plan(std::uint16_t resolver_port, std::uint16_t check_port) {
  gslbd::probe::MonitorPlan plan;
  plan.table = std::make_shared<gslbd::health::HealthTable>(1, gslbd::health::Health{});
  plan.members = {name_member(check_port)};
  plan.resolvers = {{*gslbd::util::parse_address("127.0.0.1"), resolver_port}};
  return plan;
}

bool wait_for(const std::function<bool()>& done) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(8);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace

TEST_CASE("health loop: a member given by name is probed at the address it resolves to") {
  FakeResolver resolver(Mode::answer);
  // A listener on 127.0.0.3, where the name resolves: the kernel completes the connects.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(0x7f000003);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(listener, 64) == 0);
  socklen_t length = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &length);
  gslbd::probe::HealthLoop loop(16, 7);
  loop.start();
  auto plan = name_plan(resolver.port(), ntohs(addr.sin_port));
  const auto table = plan.table;
  loop.adopt(std::move(plan));
  CHECK(wait_for([&] {
    const auto all = loop.status();
    return !all.empty() && all[0].up && all[0].resolved.size() == 2;
  }));
  const auto status = loop.status().at(0);
  CHECK(status.target == "app.cloud.test.");
  CHECK(status.resolved == std::vector<std::string>{"127.0.0.3", "::1"});
  CHECK(status.resolve_error.empty());
  REQUIRE(status.checks.size() == 1);
  CHECK(status.checks[0].check.find("tcp to 127.0.0.3:") != std::string::npos);
  // Both addresses are probed; the one that passes decides.
  CHECK(status.checks_probe == "127.0.0.3");
  REQUIRE(status.addresses.size() == 2);
  CHECK(status.addresses[0].address == "127.0.0.3");
  CHECK(status.addresses[0].up);
  CHECK(status.addresses[1].address == "::1");
  REQUIRE(status.addresses[1].checks.size() == 1);
  CHECK(status.addresses[1].checks[0].check.find("tcp to [::1]:") != std::string::npos);
  CHECK(table->read(0).up);
  // Dropped by a reload while its next resolution is pending: nothing of it runs on.
  loop.adopt(gslbd::probe::MonitorPlan{
      std::make_shared<gslbd::health::HealthTable>(0, gslbd::health::Health{}), {}, {}, {}, {}});
  loop.wait_adopted();
  loop.stop();
  ::close(listener);
}

TEST_CASE("health loop: a name that does not resolve holds the member down, with the reason") {
  FakeResolver resolver(Mode::nxdomain);
  gslbd::probe::HealthLoop loop(16, 7);
  loop.start();
  auto plan = name_plan(resolver.port(), 9);
  const auto table = plan.table;
  loop.adopt(std::move(plan));
  CHECK(wait_for([&] {
    const auto all = loop.status();
    return !all.empty() && !all[0].resolve_error.empty() && all[0].known;
  }));
  const auto status = loop.status().at(0);
  CHECK_FALSE(status.up);
  CHECK(status.down_reason.find("target app.cloud.test. does not resolve: NXDOMAIN from "
                                "127.0.0.1:") == 0);
  CHECK_FALSE(table->read(0).up);
  CHECK(table->read(0).known);
  loop.stop();
}

TEST_CASE("health loop: a lookup in flight when the member goes away is cancelled") {
  FakeResolver resolver(Mode::silent);
  gslbd::probe::HealthLoop loop(16, 7);
  loop.start();
  loop.adopt(name_plan(resolver.port(), 9));
  loop.wait_adopted();
  CHECK(wait_for([&] { return resolver.queries() > 0; }));
  loop.adopt(gslbd::probe::MonitorPlan{
      std::make_shared<gslbd::health::HealthTable>(0, gslbd::health::Health{}), {}, {}, {}, {}});
  loop.wait_adopted();
  CHECK(loop.status().empty());
  loop.stop();
}
