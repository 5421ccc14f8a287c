// SPDX-License-Identifier: Apache-2.0
// One shard of the listeners: this shard's SO_REUSEPORT socket of every listen address, served
// by a UDP receiver thread per address (blocking in recvmmsg) and one thread running a libuv
// loop over the shard's TCP listeners. Each thread answers through its own Answerer (snapshot
// copy refreshed once per batch, policy state, counters, query log); nothing on a query path
// takes a lock, and answering allocates nothing (a TCP connection allocates only to keep a
// frame split across reads past a small inline buffer, or an answer the kernel could not take
// at once).
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/server/listen_sockets.hpp"
#include "gslbd/stats/worker_stats.hpp"

namespace gslbd::dnstap {
class Tap;
class Writer;
}  // namespace gslbd::dnstap

namespace gslbd::server {

class Answerer;
class TcpConnections;
class UdpReceiver;

class Shard {
 public:
  // dnstap, when not null, gets a tap for each of the shard's answering threads; it must
  // outlive the shard.
  Shard(unsigned index, const runtime::SnapshotPublisher& publisher, ShardSockets sockets,
        dnstap::Writer* dnstap = nullptr);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Control thread: starts the threads. Throws std::runtime_error if libuv refuses a socket.
  void start();
  // Any thread: asks every thread to close everything and return; then join().
  void stop() noexcept;
  void join();

  // Any thread: the counters of each of this shard's threads (summed at scrape time).
  std::vector<const stats::WorkerStats*> stats() const;

 private:
  struct TcpListener {
    uv_tcp_t tcp;
    Shard* shard;
  };

  void run() noexcept;
  void on_tcp_connection(uv_stream_t* listener) noexcept;
  void close_all() noexcept;

  unsigned index_;
  std::unique_ptr<Answerer> tcp_answerer_;  // the TCP loop's
  ShardSockets sockets_;
  uv_loop_t loop_;
  uv_async_t stop_async_;
  // Once a second: reports suppressed query log lines, publishes the TCP gauges.
  uv_timer_t second_timer_;
  std::vector<std::unique_ptr<UdpReceiver>> udp_;
  std::vector<std::unique_ptr<TcpListener>> listeners_;
  std::unique_ptr<TcpConnections> tcp_;
  std::thread thread_;
  bool loop_ready_ = false;
};

}  // namespace gslbd::server
