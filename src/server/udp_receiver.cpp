// SPDX-License-Identifier: Apache-2.0
#include "udp_receiver.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gslbd/util/clock.hpp"
#include "udp_batch.hpp"

namespace gslbd::server {
namespace {

// An idle receiver wakes this often: to drop a replaced snapshot (so retired configs are freed
// while no queries arrive), to report suppressed query-log lines, and to notice stop() should
// the shutdown() wakeup be missed.
constexpr timeval kIdleWakeup{1, 0};

}  // namespace

UdpReceiver::UdpReceiver(unsigned shard, unsigned lane, int fd,
                         const runtime::SnapshotPublisher& publisher, dnstap::Tap* tap)
    : fd_(fd),
      answerer_(publisher, shard, lane, tap),
      batch_(std::make_unique<UdpBatch>(UdpBatch::reports_destination(fd))) {
  socklen_t local_len = sizeof local_;
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&local_), &local_len) != 0) local_ = {};
  const int flags = fcntl(fd_, F_GETFL);
  if (flags >= 0) fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &kIdleWakeup, sizeof kIdleWakeup);
}

UdpReceiver::~UdpReceiver() {
  stop();
  join();
  close(fd_);
}

void UdpReceiver::start() {
  thread_ = std::thread([this] { run(); });
}

void UdpReceiver::stop() noexcept {
  stopping_.store(true, std::memory_order_relaxed);
  // On Linux this wakes a thread blocked in recvmmsg even on an unconnected UDP socket (the
  // call itself reports ENOTCONN); later receives return at once.
  shutdown(fd_, SHUT_RD);
}

void UdpReceiver::join() {
  if (thread_.joinable()) thread_.join();
}

void UdpReceiver::run() noexcept {
  std::uint64_t flushed_ns = util::monotonic_ns();
  while (!stopping_.load(std::memory_order_relaxed)) {
    const std::size_t received = batch_->serve_once(fd_, answerer_, local_);
    if (received < UdpBatch::kMessages) {
      if (received == 0) answerer_.refresh();  // idle: let go of a replaced config
      // A short batch: the queue was drained, so this is a good moment for periodic chores.
      const std::uint64_t now = util::monotonic_ns();
      if (now - flushed_ns >= QueryLog::kSecondNs) {
        answerer_.query_log().flush(now);
        flushed_ns = now;
      }
    }
  }
}

}  // namespace gslbd::server
