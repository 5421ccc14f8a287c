// SPDX-License-Identifier: Apache-2.0
// One worker: a UDP receiver thread per listen address (blocking in recvmmsg) and a thread
// running a libuv loop over the worker's TCP listeners. Each thread answers from its own
// snapshot copy refreshed once per batch; nothing on a query path takes a lock, and answering
// allocates nothing (a TCP connection allocates only to keep a frame split across reads past
// a small inline buffer, or an answer the kernel could not take at once).
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "gslbd/query/policy_state.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/server/listen_sockets.hpp"
#include "gslbd/stats/worker_stats.hpp"

namespace gslbd::server {}  // namespace gslbd::server

namespace gslbd::dnstap {
class Tap;
class Writer;
}  // namespace gslbd::dnstap

namespace gslbd::server {

class QueryLog;
class TcpConnection;
class TcpConnections;
class UdpReceiver;

class Worker {
 public:
  // dnstap, when not null, gets a tap for each of the worker's answering threads; it must
  // outlive the worker.
  Worker(unsigned index, const runtime::SnapshotPublisher& publisher, WorkerSockets sockets,
         dnstap::Writer* dnstap = nullptr);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Control thread: starts the threads. Throws std::runtime_error if libuv refuses a socket.
  void start();
  // Any thread: asks every thread to close everything and return; then join().
  void stop() noexcept;
  void join();

  // Any thread: the counters of each of this worker's threads (summed at scrape time).
  std::vector<const stats::WorkerStats*> stats() const;

 private:
  friend class TcpConnection;
  struct TcpListener {
    uv_tcp_t tcp;
    Worker* worker;
  };

  void run() noexcept;
  void on_tcp_connection(uv_stream_t* listener) noexcept;
  void close_all() noexcept;

  unsigned index_;
  runtime::LocalSnapshot snapshot_;
  query::PolicyState policy_state_;
  stats::WorkerStats stats_;  // TCP queries
  WorkerSockets sockets_;
  uv_loop_t loop_;
  uv_async_t stop_async_;
  // Once a second: reports suppressed query log lines, publishes the TCP gauges.
  uv_timer_t second_timer_;
  std::vector<std::unique_ptr<UdpReceiver>> udp_;
  std::vector<std::unique_ptr<TcpListener>> listeners_;
  std::unique_ptr<TcpConnections> tcp_;
  std::unique_ptr<QueryLog> query_log_;
  dnstap::Tap* tcp_tap_ = nullptr;  // records the TCP loop's exchanges; null without dnstap
  std::thread thread_;
  bool loop_ready_ = false;
};

}  // namespace gslbd::server
