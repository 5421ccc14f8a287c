// A worker's permanent buffers for one recvmmsg/sendmmsg round trip, allocated once.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "gslbd/query/answer.hpp"
#include "gslbd/stats/worker_stats.hpp"

namespace gslbd::server {

class QueryLog;

}  // namespace gslbd::server

namespace gslbd::dnstap {
class Tap;
}  // namespace gslbd::dnstap

namespace gslbd::server {

class UdpBatch {
 public:
  static constexpr std::size_t kMessages = 32;
  static constexpr std::size_t kQuerySize = 4096;   // larger queries are dropped (MSG_TRUNC)
  static constexpr std::size_t kAnswerSize = 4096;  // edns_udp_size is at most 4096

  UdpBatch();

  // Waits for a query on fd (a blocking socket; its SO_RCVTIMEO bounds the wait), receives up
  // to kMessages queries, answers them from snapshot (refreshed once the wait is over) and
  // sends the answers without blocking.
  // With a tap, each exchange is also recorded for dnstap; local is the socket's own address.
  // Returns how many queries were received (0: timeout, shutdown or an error).
  std::size_t serve_once(int fd, runtime::LocalSnapshot& snapshot, query::PolicyState& policy_state,
                         stats::WorkerStats& stats, QueryLog& query_log, dnstap::Tap* tap,
                         const sockaddr_storage& local) noexcept;

 private:
  std::unique_ptr<std::uint8_t[]> queries_;
  std::unique_ptr<std::uint8_t[]> answers_;
  mmsghdr in_[kMessages];
  mmsghdr out_[kMessages];
  iovec in_iov_[kMessages];
  iovec out_iov_[kMessages];
  sockaddr_storage peers_[kMessages];
};

}  // namespace gslbd::server
