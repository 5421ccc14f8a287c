// SPDX-License-Identifier: Apache-2.0
// Reading a UDP query out of an Ethernet frame and turning that frame into the reply in place:
// the only packet code of the AF_XDP path (the DNS message itself is the query path's).
// Pure functions on caller-owned bytes: noexcept, allocation-free.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gslbd/util/address.hpp"

namespace gslbd::server {

inline constexpr std::size_t kEthernetHeader = 14;
inline constexpr std::size_t kIpv4Header = 20;
inline constexpr std::size_t kIpv6Header = 40;
inline constexpr std::size_t kUdpHeader = 8;

// A UDP datagram in a frame, as parse_udp_frame found it.
struct UdpFrame {
  bool ipv6 = false;
  std::size_t headers = 0;      // Ethernet + IP + UDP header octets: the payload's offset
  std::size_t payload_len = 0;  // the UDP payload's length (from the UDP header)
  util::Address client;         // the source address
  util::Address server;         // the destination address
  std::uint16_t client_port = 0;
  std::uint16_t server_port = 0;
};

// Accepts what the XDP program redirects: Ethernet II, then IPv4 without options and not
// fragmented or IPv6 without extension headers, then UDP whose length fits the frame. Returns
// false for anything else (the frame is then dropped and counted as malformed).
bool parse_udp_frame(const std::uint8_t* frame, std::size_t length, UdpFrame& out) noexcept;

// The largest answer for a reply to `parsed` that fits the link MTU (IP header included) and
// the `room` octets the frame buffer has from its start.
std::size_t reply_capacity(const UdpFrame& parsed, std::size_t mtu, std::size_t room) noexcept;

// Makes the query frame the reply frame: swaps the MAC and IP addresses and the ports, writes
// the lengths, a fresh IP header (TTL / hop limit 64) and both checksums. The answer of
// answer_len octets must already be at frame + parsed.headers. Returns the frame's length.
std::size_t write_reply_frame(std::uint8_t* frame, const UdpFrame& parsed,
                              std::size_t answer_len) noexcept;

}  // namespace gslbd::server
