// SPDX-License-Identifier: Apache-2.0
// The AF_XDP path's frame code: what parse_udp_frame accepts, replies whose IP and UDP
// checksums verify (summed here the RFC 1071 way, independently of the code under test), and
// the MTU as the answer's size limit, so a large answer goes out truncated with TC set.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "../pool/counting_new.hpp"
#include "../query/test_zone.hpp"
#include "answerer.hpp"
#include "gslbd/util/clock.hpp"
#include "xdp_frame.hpp"

namespace {

using gslbd::server::UdpFrame;

const std::uint8_t kServerMac[6] = {0x02, 0, 0, 0, 0, 1};
const std::uint8_t kClientMac[6] = {0x02, 0, 0, 0, 0, 2};

// A frame from the client (198.18.0.2 or fd00::2, port 40000) to the server (198.18.0.1 or
// fd00::1, port 53) carrying payload; IPv4 with a valid header checksum.
std::vector<std::uint8_t> query_frame(bool ipv6, const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> f(14);
  std::memcpy(f.data(), kServerMac, 6);
  std::memcpy(f.data() + 6, kClientMac, 6);
  f[12] = ipv6 ? 0x86 : 0x08;
  f[13] = ipv6 ? 0xdd : 0x00;
  const std::size_t udp_len = 8 + payload.size();
  if (ipv6) {
    std::vector<std::uint8_t> ip(40, 0);
    ip[0] = 0x60;
    ip[4] = static_cast<std::uint8_t>(udp_len >> 8);
    ip[5] = static_cast<std::uint8_t>(udp_len);
    ip[6] = 17;
    ip[7] = 64;
    ip[8] = 0xfd, ip[23] = 2;   // source fd00::2
    ip[24] = 0xfd, ip[39] = 1;  // destination fd00::1
    f.insert(f.end(), ip.begin(), ip.end());
  } else {
    const std::size_t total = 20 + udp_len;
    std::vector<std::uint8_t> ip = {0x45,
                                    0,
                                    static_cast<std::uint8_t>(total >> 8),
                                    static_cast<std::uint8_t>(total),
                                    0x12,
                                    0x34,
                                    0,
                                    0,
                                    64,
                                    17,
                                    0,
                                    0,
                                    198,
                                    18,
                                    0,
                                    2,
                                    198,
                                    18,
                                    0,
                                    1};
    f.insert(f.end(), ip.begin(), ip.end());
  }
  const std::vector<std::uint8_t> udp = {0x9c,
                                         0x40,
                                         0,
                                         53,
                                         static_cast<std::uint8_t>(udp_len >> 8),
                                         static_cast<std::uint8_t>(udp_len),
                                         0,
                                         0};
  f.insert(f.end(), udp.begin(), udp.end());
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i < n; i += 2) {
    sum += static_cast<std::uint32_t>(p[i] << 8 | (i + 1 < n ? p[i + 1] : 0));
  }
  return sum;
}

std::uint16_t folded(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

// Checks the reply frame's addresses, ports, lengths and checksums; returns its DNS payload.
std::vector<std::uint8_t> check_reply(const std::uint8_t* f, std::size_t length, bool ipv6) {
  CHECK(std::memcmp(f, kClientMac, 6) == 0);
  CHECK(std::memcmp(f + 6, kServerMac, 6) == 0);
  const std::uint8_t* ip = f + 14;
  const std::size_t ip_len = ipv6 ? 40 : 20;
  const std::uint8_t* udp = ip + ip_len;
  const std::size_t udp_len = static_cast<std::size_t>(udp[4] << 8 | udp[5]);
  CHECK(14 + ip_len + udp_len == length);
  CHECK(udp[0] == 0);
  CHECK(udp[1] == 53);  // from port 53...
  CHECK(udp[2] == 0x9c);
  CHECK(udp[3] == 0x40);  // ...to the client's port
  std::uint32_t pseudo = 0;
  if (ipv6) {
    CHECK(ip[8] == 0xfd);
    CHECK(ip[23] == 1);  // from fd00::1
    CHECK(ip[39] == 2);  // to fd00::2
    CHECK(static_cast<std::size_t>(ip[4] << 8 | ip[5]) == udp_len);
    pseudo = sum16(ip + 8, 32);
  } else {
    CHECK(ip[15] == 1);  // from 198.18.0.1
    CHECK(ip[19] == 2);  // to 198.18.0.2
    CHECK(static_cast<std::size_t>(ip[2] << 8 | ip[3]) == 20 + udp_len);
    CHECK(folded(sum16(ip, 20)) == 0xffff);  // the header checksum verifies
    pseudo = sum16(ip + 12, 8);
  }
  pseudo += 17 + static_cast<std::uint32_t>(udp_len);
  CHECK(folded(sum16(udp, udp_len, pseudo)) == 0xffff);  // the UDP checksum verifies
  return {udp + 8, udp + udp_len};
}

}  // namespace

TEST_CASE("xdp frames: what is accepted") {
  const std::vector<std::uint8_t> payload(20, 0xab);
  for (const bool ipv6 : {false, true}) {
    auto f = query_frame(ipv6, payload);
    UdpFrame parsed;
    REQUIRE(gslbd::server::parse_udp_frame(f.data(), f.size(), parsed));
    CHECK(parsed.ipv6 == ipv6);
    CHECK(parsed.headers == (ipv6 ? 62u : 42u));
    CHECK(parsed.payload_len == payload.size());
    CHECK(parsed.client == *gslbd::util::parse_address(ipv6 ? "fd00::2" : "198.18.0.2"));
    CHECK(parsed.server == *gslbd::util::parse_address(ipv6 ? "fd00::1" : "198.18.0.1"));
    CHECK(parsed.client_port == 40000);
    CHECK(parsed.server_port == 53);
    // Cut short: the UDP length says more than the frame holds.
    CHECK_FALSE(gslbd::server::parse_udp_frame(f.data(), f.size() - 1, parsed));
  }
  auto options = query_frame(false, payload);
  options[14] = 0x46;  // IHL 6: IPv4 options
  UdpFrame parsed;
  CHECK_FALSE(gslbd::server::parse_udp_frame(options.data(), options.size(), parsed));
  auto fragment = query_frame(false, payload);
  fragment[14 + 6] = 0x20;  // MF
  CHECK_FALSE(gslbd::server::parse_udp_frame(fragment.data(), fragment.size(), parsed));
  auto extension = query_frame(true, payload);
  extension[14 + 6] = 0;  // hop-by-hop options header before UDP
  CHECK_FALSE(gslbd::server::parse_udp_frame(extension.data(), extension.size(), parsed));
  auto arp = query_frame(false, payload);
  arp[12] = 0x08, arp[13] = 0x06;
  CHECK_FALSE(gslbd::server::parse_udp_frame(arp.data(), arp.size(), parsed));
}

TEST_CASE("xdp frames: replies through the answerer, checksummed, TC beyond the MTU") {
  gslbd::runtime::SnapshotPublisher publisher;
  publisher.publish(test::example_snapshot(4096)->config);
  gslbd::server::Answerer answerer(publisher, std::uint64_t{7});
  answerer.refresh();
  test::QueryOptions edns;
  edns.edns = true;
  edns.udp_size = 4096;
  std::vector<std::uint8_t> buffer(4096);
  std::uint8_t answer[4096];

  for (const bool ipv6 : {false, true}) {
    CAPTURE(ipv6);
    for (const char* name : {"www.example.test.", "big.example.test."}) {
      CAPTURE(name);
      const auto query =
          test::make_query(name, std::string(name) == "www.example.test." ? 1 : 16, edns);
      const auto frame = query_frame(ipv6, query);
      std::memcpy(buffer.data(), frame.data(), frame.size());
      UdpFrame parsed;
      REQUIRE(gslbd::server::parse_udp_frame(buffer.data(), frame.size(), parsed));
      const std::size_t mtu = 1500;
      const std::size_t capacity = gslbd::server::reply_capacity(parsed, mtu, buffer.size());
      CHECK(capacity == mtu - (ipv6 ? 48 : 28));
      const std::size_t size = answerer.answer_one(
          gslbd::query::Transport::xdp, parsed.client, buffer.data() + parsed.headers,
          parsed.payload_len, answer, capacity, gslbd::util::monotonic_ns());
      REQUIRE(size > 12);
      std::memcpy(buffer.data() + parsed.headers, answer, size);
      const std::size_t length = gslbd::server::write_reply_frame(buffer.data(), parsed, size);
      CHECK(length - 14 <= mtu);
      const auto reply = check_reply(buffer.data(), length, ipv6);
      REQUIRE(reply.size() == size);
      CHECK(std::memcmp(reply.data(), answer, size) == 0);
      // The ~2,000-octet RRset fits the client's 4096 octets but not the link: TC.
      const bool big = std::string(name) == "big.example.test.";
      CHECK(((reply[2] & 0x02) != 0) == big);
    }
  }
  // Counted apart from UDP: one A query per address family under proto xdp.
  const auto xdp = static_cast<std::size_t>(gslbd::stats::Proto::xdp);
  const auto udp = static_cast<std::size_t>(gslbd::stats::Proto::udp);
  const std::size_t a_bucket = gslbd::stats::qtype_bucket(1);
  CHECK(answerer.stats().requests(0, xdp, 0, a_bucket) == 1);
  CHECK(answerer.stats().requests(0, xdp, 1, a_bucket) == 1);
  CHECK(answerer.stats().requests(0, udp, 0, a_bucket) == 0);

  // Warm: a reply is made without allocating.
  const auto query = test::make_query("www.example.test.", 1, edns);
  const auto frame = query_frame(false, query);
  const long before = test::allocation_count();
  for (int i = 0; i < 50; ++i) {
    std::memcpy(buffer.data(), frame.data(), frame.size());
    UdpFrame parsed;
    REQUIRE(gslbd::server::parse_udp_frame(buffer.data(), frame.size(), parsed));
    answerer.refresh();
    const std::size_t size = answerer.answer_one(
        gslbd::query::Transport::xdp, parsed.client, buffer.data() + parsed.headers,
        parsed.payload_len, answer, gslbd::server::reply_capacity(parsed, 1500, buffer.size()),
        gslbd::util::monotonic_ns());
    std::memcpy(buffer.data() + parsed.headers, answer, size);
    gslbd::server::write_reply_frame(buffer.data(), parsed, size);
  }
  CHECK(test::allocation_count() == before);
}
