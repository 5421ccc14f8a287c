// SPDX-License-Identifier: Apache-2.0
// One UDP socket served by a thread of its own that sleeps in recvmmsg, as gdnsd does: a
// wakeup costs one blocking receive and one sendmmsg, with no event loop in between, which on
// loopback is a tenth of the CPU per query at moderate rates (tools/bench-peers).
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "answerer.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/stats/worker_stats.hpp"

namespace gslbd::server {

class UdpBatch;

}  // namespace gslbd::server

namespace gslbd::dnstap {
class Tap;
}  // namespace gslbd::dnstap

namespace gslbd::server {

class UdpReceiver {
 public:
  // Takes ownership of fd (a bound UDP socket), makes it blocking with a receive timeout.
  // When fd reports each query's destination (wildcard listeners do), answers leave from it.
  // tap, when not null, records every exchange for dnstap.
  // shard and lane tell this thread's answerer apart from every other's.
  UdpReceiver(unsigned shard, unsigned lane, int fd, const runtime::SnapshotPublisher& publisher,
              dnstap::Tap* tap);
  ~UdpReceiver();
  UdpReceiver(const UdpReceiver&) = delete;
  UdpReceiver& operator=(const UdpReceiver&) = delete;

  void start();
  // Any thread: wakes the receiving thread and makes it return; then join().
  void stop() noexcept;
  void join();

  // Any thread: this receiver's counters (single writer: its own thread).
  const stats::WorkerStats& stats() const noexcept { return answerer_.stats(); }

 private:
  void run() noexcept;

  int fd_;
  Answerer answerer_;
  std::unique_ptr<UdpBatch> batch_;
  sockaddr_storage local_{};  // the socket's own address, for dnstap
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace gslbd::server
