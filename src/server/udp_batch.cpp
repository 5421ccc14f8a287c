#include "udp_batch.hpp"

#include <cerrno>
#include <cstring>

#include "gslbd/dnstap/writer.hpp"
#include "gslbd/util/clock.hpp"
#include "peer_address.hpp"
#include "query_log.hpp"

namespace gslbd::server {

UdpBatch::UdpBatch()
    : queries_(new std::uint8_t[kMessages * kQuerySize]),
      answers_(new std::uint8_t[kMessages * kAnswerSize]) {
  std::memset(in_, 0, sizeof in_);
  std::memset(out_, 0, sizeof out_);
  for (std::size_t i = 0; i < kMessages; ++i) {
    in_iov_[i].iov_base = queries_.get() + i * kQuerySize;
    in_iov_[i].iov_len = kQuerySize;
    in_[i].msg_hdr.msg_iov = &in_iov_[i];
    in_[i].msg_hdr.msg_iovlen = 1;
    in_[i].msg_hdr.msg_name = &peers_[i];
    out_[i].msg_hdr.msg_iovlen = 1;
  }
}

std::size_t UdpBatch::serve_once(int fd, runtime::LocalSnapshot& local_snapshot,
                                 query::PolicyState& policy_state, stats::WorkerStats& stats,
                                 QueryLog& query_log, dnstap::Tap* tap,
                                 const sockaddr_storage& local) noexcept {
  for (std::size_t i = 0; i < kMessages; ++i) {
    in_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    in_[i].msg_hdr.msg_flags = 0;
  }
  // Blocks until one query arrives (or the socket's receive timeout), then takes what waits.
  int received = recvmmsg(fd, in_, kMessages, MSG_WAITFORONE, nullptr);
  if (received <= 0) return 0;
  // After the wait, not before it: a query that arrives after a reload sees the new config.
  const runtime::Snapshot& snapshot = local_snapshot.refresh();
  policy_state.prepare(snapshot);
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
    stats::QueryRecord record;
    const query::QueryContext context{query::Transport::udp, peer_address(peers_[i]), &policy_state,
                                      &record};
    const std::size_t size =
        query::answer_query(snapshot, queries_.get() + static_cast<std::size_t>(i) * kQuerySize,
                            in_[i].msg_len, context, answer, kAnswerSize);
    const std::uint64_t end = util::monotonic_ns();
    const auto duration_us = static_cast<std::uint32_t>((end - received_ns) / 1000);
    stats.record(record, duration_us);
    query_log.log(*snapshot.config, context.source,
                  queries_.get() + static_cast<std::size_t>(i) * kQuerySize, record, size,
                  duration_us, end);
    if (tap != nullptr) {
      tap->record(false, peers_[i], &local, received_wall_ns, dnstap::realtime_ns(),
                  queries_.get() + static_cast<std::size_t>(i) * kQuerySize, in_[i].msg_len, answer,
                  size);
    }
    if (size == 0) continue;
    out_iov_[answers].iov_base = answer;
    out_iov_[answers].iov_len = size;
    out_[answers].msg_hdr.msg_iov = &out_iov_[answers];
    out_[answers].msg_hdr.msg_name = &peers_[i];
    out_[answers].msg_hdr.msg_namelen = in_[i].msg_hdr.msg_namelen;
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
