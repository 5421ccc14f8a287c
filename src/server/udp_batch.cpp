// SPDX-License-Identifier: Apache-2.0
#include "udp_batch.hpp"

#include <cerrno>
#include <cstring>

#include "answerer.hpp"
#include "gslbd/dnstap/writer.hpp"
#include "gslbd/util/clock.hpp"
#include "gslbd/util/sockaddr.hpp"

namespace gslbd::server {
namespace {

// Makes info the only control message of answer, written into control.
template <typename Info>
void attach(msghdr& answer, unsigned char* control, int level, int type,
            const Info& info) noexcept {
  answer.msg_control = control;
  answer.msg_controllen = CMSG_SPACE(sizeof info);
  cmsghdr* out = CMSG_FIRSTHDR(&answer);
  out->cmsg_level = level;
  out->cmsg_type = type;
  out->cmsg_len = CMSG_LEN(sizeof info);
  std::memcpy(CMSG_DATA(out), &info, sizeof info);
}

// Gives answer (the reply to query) a control message in `control` (CMSG_SPACE of an
// in6_pktinfo) that sends it from the address query was sent to. Leaves answer without one, so
// the kernel picks the source, when query carries no destination (its control data was cut).
void set_reply_source(msghdr& query, unsigned char* control, msghdr& answer) noexcept {
  answer.msg_control = nullptr;
  answer.msg_controllen = 0;
  if (query.msg_flags & MSG_CTRUNC) return;
  for (cmsghdr* in = CMSG_FIRSTHDR(&query); in != nullptr; in = CMSG_NXTHDR(&query, in)) {
    if (in->cmsg_level == IPPROTO_IP && in->cmsg_type == IP_PKTINFO &&
        in->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo))) {
      in_pktinfo received;
      std::memcpy(&received, CMSG_DATA(in), sizeof received);
      in_pktinfo source{};
      // The kernel's choice of reply address: the destination itself when that is a local
      // unicast address; an address of the interface for a broadcast, which cannot be a source.
      // Interface 0 lets the route choose the way out, so an answer on a host with asymmetric
      // routes leaves where the routing table says.
      source.ipi_spec_dst = received.ipi_spec_dst;
      attach(answer, control, IPPROTO_IP, IP_PKTINFO, source);
      return;
    }
    if (in->cmsg_level == IPPROTO_IPV6 && in->cmsg_type == IPV6_PKTINFO &&
        in->cmsg_len >= CMSG_LEN(sizeof(in6_pktinfo))) {
      in6_pktinfo received;
      std::memcpy(&received, CMSG_DATA(in), sizeof received);
      // A multicast group (all-nodes reaches a wildcard socket) cannot be a source: without a
      // control message the kernel picks one, as ipi_spec_dst does for IPv4 broadcasts.
      if (IN6_IS_ADDR_MULTICAST(&received.ipi6_addr)) return;
      in6_pktinfo source{};
      source.ipi6_addr = received.ipi6_addr;
      // A link-local address is unique only on its link: that answer leaves by the interface
      // the query came in on. Other addresses let the route choose, as for IPv4.
      if (IN6_IS_ADDR_LINKLOCAL(&received.ipi6_addr)) source.ipi6_ifindex = received.ipi6_ifindex;
      attach(answer, control, IPPROTO_IPV6, IPV6_PKTINFO, source);
      return;
    }
  }
}

// The address query was sent to, for dnstap: on a socket that reports destinations the one in
// its packet info (with the socket's port), else the socket's own address.
sockaddr_storage query_destination(msghdr& query, const sockaddr_storage& local) noexcept {
  sockaddr_storage out = local;
  if (query.msg_flags & MSG_CTRUNC) return out;
  for (cmsghdr* in = CMSG_FIRSTHDR(&query); in != nullptr; in = CMSG_NXTHDR(&query, in)) {
    if (in->cmsg_level == IPPROTO_IP && in->cmsg_type == IP_PKTINFO &&
        in->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo)) && local.ss_family == AF_INET) {
      in_pktinfo received;
      std::memcpy(&received, CMSG_DATA(in), sizeof received);
      reinterpret_cast<sockaddr_in*>(&out)->sin_addr = received.ipi_addr;
    } else if (in->cmsg_level == IPPROTO_IPV6 && in->cmsg_type == IPV6_PKTINFO &&
               in->cmsg_len >= CMSG_LEN(sizeof(in6_pktinfo)) && local.ss_family == AF_INET6) {
      in6_pktinfo received;
      std::memcpy(&received, CMSG_DATA(in), sizeof received);
      reinterpret_cast<sockaddr_in6*>(&out)->sin6_addr = received.ipi6_addr;
    }
  }
  return out;
}

}  // namespace

bool UdpBatch::reports_destination(int fd) noexcept {
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len) != 0) return false;
  int on = 0;
  socklen_t on_len = sizeof on;
  const int got = bound.ss_family == AF_INET6
                      ? getsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, &on_len)
                      : getsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, &on_len);
  return got == 0 && on != 0;
}

UdpBatch::UdpBatch(bool reply_from_destination)
    : queries_(new std::uint8_t[kMessages * kQuerySize]),
      answers_(new std::uint8_t[kMessages * kAnswerSize]),
      reply_from_destination_(reply_from_destination) {
  std::memset(in_, 0, sizeof in_);
  std::memset(out_, 0, sizeof out_);
  for (std::size_t i = 0; i < kMessages; ++i) {
    in_iov_[i].iov_base = queries_.get() + i * kQuerySize;
    in_iov_[i].iov_len = kQuerySize;
    in_[i].msg_hdr.msg_iov = &in_iov_[i];
    in_[i].msg_hdr.msg_iovlen = 1;
    in_[i].msg_hdr.msg_name = &peers_[i];
    if (reply_from_destination_) in_[i].msg_hdr.msg_control = in_control_[i].bytes;
    out_[i].msg_hdr.msg_iovlen = 1;
  }
}

std::size_t UdpBatch::serve_once(int fd, Answerer& answerer,
                                 const sockaddr_storage& local) noexcept {
  for (std::size_t i = 0; i < kMessages; ++i) {
    in_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    in_[i].msg_hdr.msg_flags = 0;
    if (reply_from_destination_) in_[i].msg_hdr.msg_controllen = kControlSize;
  }
  // Blocks until one query arrives (or the socket's receive timeout), then takes what waits.
  int received = recvmmsg(fd, in_, kMessages, MSG_WAITFORONE, nullptr);
  if (received <= 0) return 0;
  // After the wait, not before it: a query that arrives after a reload sees the new config.
  answerer.refresh();
  stats::WorkerStats& stats = answerer.stats();
  dnstap::Tap* tap = answerer.tap();
  // Durations count from the batch's arrival, so waiting behind earlier queries of the batch
  // is included, and each query costs one clock read instead of two.
  const std::uint64_t received_ns = util::monotonic_ns();
  const std::uint64_t received_wall_ns = tap != nullptr ? dnstap::realtime_ns() : 0;

  unsigned answers = 0;
  for (int i = 0; i < received; ++i) {
    if (in_[i].msg_hdr.msg_flags & MSG_TRUNC) {  // larger than any sane query
      stats.drop(stats::Drop::oversized);
      continue;
    }
    std::uint8_t* answer = answers_.get() + answers * kAnswerSize;
    const std::size_t size =
        answerer.answer_one(query::Transport::udp, util::client_address(peers_[i]),
                            queries_.get() + static_cast<std::size_t>(i) * kQuerySize,
                            in_[i].msg_len, answer, kAnswerSize, received_ns);
    if (tap != nullptr) {
      const sockaddr_storage destination =
          reply_from_destination_ ? query_destination(in_[i].msg_hdr, local) : local;
      tap->record(false, peers_[i], &destination, received_wall_ns, dnstap::realtime_ns(),
                  queries_.get() + static_cast<std::size_t>(i) * kQuerySize, in_[i].msg_len, answer,
                  size);
    }
    if (size == 0) continue;
    out_iov_[answers].iov_base = answer;
    out_iov_[answers].iov_len = size;
    out_[answers].msg_hdr.msg_iov = &out_iov_[answers];
    out_[answers].msg_hdr.msg_name = &peers_[i];
    out_[answers].msg_hdr.msg_namelen = in_[i].msg_hdr.msg_namelen;
    if (reply_from_destination_) {
      set_reply_source(in_[i].msg_hdr, out_control_[answers].bytes, out_[answers].msg_hdr);
    }
    ++answers;
  }

  unsigned sent = 0;
  while (sent < answers) {
    const int n = sendmmsg(fd, out_ + sent, answers - sent, MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<unsigned>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // The socket buffer is full: these answers are dropped, the clients retry.
      stats.drop(stats::Drop::send_failed, answers - sent);
      break;
    } else {
      stats.drop(stats::Drop::send_failed);
      ++sent;  // this one peer's answer failed (bad address, unreachable); go on with the rest
    }
  }
  return static_cast<std::size_t>(received);
}

}  // namespace gslbd::server
