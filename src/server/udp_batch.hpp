// SPDX-License-Identifier: Apache-2.0
// A worker's permanent buffers for one recvmmsg/sendmmsg round trip, allocated once.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace gslbd::server {

class Answerer;

class UdpBatch {
 public:
  static constexpr std::size_t kMessages = 32;
  static constexpr std::size_t kQuerySize = 4096;   // larger queries are dropped (MSG_TRUNC)
  static constexpr std::size_t kAnswerSize = 4096;  // edns_udp_size is at most 4096

  // reply_from_destination: the socket reports each query's destination address (IP_PKTINFO
  // or IPV6_RECVPKTINFO, which wildcard listeners turn on) and each answer is sent from it.
  explicit UdpBatch(bool reply_from_destination);

  // Whether fd reports the destination of what it receives (a bound UDP socket).
  static bool reports_destination(int fd) noexcept;

  // Waits for a query on fd (a blocking socket; its SO_RCVTIMEO bounds the wait), receives up
  // to kMessages queries, answers them through answerer (refreshed once the wait is over) and
  // sends the answers without blocking.
  // With the answerer's tap, each exchange is also recorded for dnstap; local is the socket's
  // own address. Returns how many queries were received (0: timeout, shutdown or an error).
  std::size_t serve_once(int fd, Answerer& answerer, const sockaddr_storage& local = {}) noexcept;

 private:
  std::unique_ptr<std::uint8_t[]> queries_;
  std::unique_ptr<std::uint8_t[]> answers_;
  mmsghdr in_[kMessages];
  mmsghdr out_[kMessages];
  iovec in_iov_[kMessages];
  iovec out_iov_[kMessages];
  sockaddr_storage peers_[kMessages];

  // Room for one control message, IPv4's or IPv6's packet info: the kernel delivers no other.
  static constexpr std::size_t kControlSize =
      CMSG_SPACE(std::max(sizeof(in_pktinfo), sizeof(in6_pktinfo)));
  struct alignas(cmsghdr) Control {
    unsigned char bytes[kControlSize];
  };
  Control in_control_[kMessages];   // each query's destination, as received
  Control out_control_[kMessages];  // each answer's source
  bool reply_from_destination_;
};

}  // namespace gslbd::server
