// SPDX-License-Identifier: Apache-2.0
#include "xdp_frame.hpp"

#include <cstring>

namespace gslbd::server {
namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86dd;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint8_t kReplyHopLimit = 64;

std::uint16_t get16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

void put16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

template <std::size_t N>
void swap_bytes(std::uint8_t* a, std::uint8_t* b) noexcept {
  std::uint8_t keep[N];
  std::memcpy(keep, a, N);
  std::memcpy(a, b, N);
  std::memcpy(b, keep, N);
}

// The one's complement sum (RFC 1071) of length octets, added to sum, not yet folded.
std::uint64_t add_words(std::uint64_t sum, const std::uint8_t* p, std::size_t length) noexcept {
  std::size_t i = 0;
  for (; i + 1 < length; i += 2) sum += get16(p + i);
  if (i < length) sum += static_cast<std::uint64_t>(p[i]) << 8;
  return sum;
}

std::uint16_t fold(std::uint64_t sum) noexcept {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

}  // namespace

bool parse_udp_frame(const std::uint8_t* frame, std::size_t length, UdpFrame& out) noexcept {
  if (length < kEthernetHeader) return false;
  const std::uint16_t ether_type = get16(frame + 12);
  const std::uint8_t* ip = frame + kEthernetHeader;
  std::size_t ip_header = 0;
  if (ether_type == kEtherIpv4) {
    if (length < kEthernetHeader + kIpv4Header + kUdpHeader) return false;
    if (ip[0] != 0x45 || ip[9] != kProtoUdp) return false;
    if ((get16(ip + 6) & 0x3fff) != 0) return false;  // a fragment
    const std::size_t total = get16(ip + 2);
    if (total < kIpv4Header + kUdpHeader || kEthernetHeader + total > length) return false;
    ip_header = kIpv4Header;
    out.ipv6 = false;
    out.client.family = 4;
    out.client.bytes = {};
    std::memcpy(out.client.bytes.data(), ip + 12, 4);
    out.server.family = 4;
    out.server.bytes = {};
    std::memcpy(out.server.bytes.data(), ip + 16, 4);
  } else if (ether_type == kEtherIpv6) {
    if (length < kEthernetHeader + kIpv6Header + kUdpHeader) return false;
    if ((ip[0] >> 4) != 6 || ip[6] != kProtoUdp) return false;
    if (kEthernetHeader + kIpv6Header + get16(ip + 4) > length) return false;
    ip_header = kIpv6Header;
    out.ipv6 = true;
    out.client.family = 6;
    std::memcpy(out.client.bytes.data(), ip + 8, 16);
    out.server.family = 6;
    std::memcpy(out.server.bytes.data(), ip + 24, 16);
  } else {
    return false;
  }
  const std::uint8_t* udp = ip + ip_header;
  const std::size_t udp_length = get16(udp + 4);
  out.headers = kEthernetHeader + ip_header + kUdpHeader;
  if (udp_length < kUdpHeader || out.headers - kUdpHeader + udp_length > length) return false;
  out.payload_len = udp_length - kUdpHeader;
  out.client_port = get16(udp);
  out.server_port = get16(udp + 2);
  return true;
}

std::size_t reply_capacity(const UdpFrame& parsed, std::size_t mtu, std::size_t room) noexcept {
  const std::size_t ip_and_udp = parsed.headers - kEthernetHeader;
  const std::size_t by_mtu = mtu > ip_and_udp ? mtu - ip_and_udp : 0;
  const std::size_t by_room = room > parsed.headers ? room - parsed.headers : 0;
  return by_mtu < by_room ? by_mtu : by_room;
}

std::size_t write_reply_frame(std::uint8_t* frame, const UdpFrame& parsed,
                              std::size_t answer_len) noexcept {
  swap_bytes<6>(frame, frame + 6);
  std::uint8_t* ip = frame + kEthernetHeader;
  const std::size_t ip_header = parsed.ipv6 ? kIpv6Header : kIpv4Header;
  std::uint8_t* udp = ip + ip_header;
  const auto udp_length = static_cast<std::uint16_t>(kUdpHeader + answer_len);
  swap_bytes<2>(udp, udp + 2);
  put16(udp + 4, udp_length);
  put16(udp + 6, 0);

  // The pseudo-header's sum: addresses, protocol and UDP length (RFC 768, RFC 8200 8.1).
  std::uint64_t sum = 0;
  if (parsed.ipv6) {
    // Version 6, traffic class and flow label 0: the reply is not part of the query's flow.
    ip[0] = 0x60;
    ip[1] = ip[2] = ip[3] = 0;
    put16(ip + 4, udp_length);
    ip[7] = kReplyHopLimit;
    swap_bytes<16>(ip + 8, ip + 24);
    sum = add_words(sum, ip + 8, 32);
  } else {
    put16(ip + 2, static_cast<std::uint16_t>(kIpv4Header + udp_length));
    ip[1] = 0;              // DSCP / ECN
    put16(ip + 4, 0);       // identification: the datagram is never fragmented by us...
    put16(ip + 6, 0x4000);  // ...because DF is set, as the kernel sets it for replies
    ip[8] = kReplyHopLimit;
    put16(ip + 10, 0);
    swap_bytes<4>(ip + 12, ip + 16);
    put16(ip + 10, fold(add_words(0, ip, kIpv4Header)));
    sum = add_words(sum, ip + 12, 8);
  }
  sum += kProtoUdp;
  sum += udp_length;
  sum = add_words(sum, udp, udp_length);
  std::uint16_t checksum = fold(sum);
  // Zero means "no checksum" in UDP over IPv4 and is forbidden over IPv6: all ones instead.
  if (checksum == 0) checksum = 0xffff;
  put16(udp + 6, checksum);
  return kEthernetHeader + ip_header + udp_length;
}

}  // namespace gslbd::server
