// One worker: a thread running its own libuv loop over its own UDP sockets and TCP listeners.
// It answers from a worker-local snapshot refreshed once per batch; nothing on its query path
// takes a lock or allocates (TCP connections get their buffers once, when accepted).
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <thread>
#include <unordered_set>
#include <vector>

#include "gslbd/query/policy_state.hpp"
#include "gslbd/runtime/snapshot.hpp"
#include "gslbd/server/listen_sockets.hpp"
#include "gslbd/stats/worker_stats.hpp"

namespace gslbd::server {

class QueryLog;
class TcpConnection;
class UdpBatch;

class Worker {
 public:
  Worker(unsigned index, const runtime::SnapshotPublisher& publisher, WorkerSockets sockets);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Control thread: starts the thread. Throws std::runtime_error if libuv refuses the sockets.
  void start();
  // Any thread: asks the loop to close everything and return; then join().
  void stop() noexcept;
  void join();

  // Any thread: this worker's counters (summed over workers at scrape time).
  const stats::WorkerStats& stats() const noexcept { return stats_; }

 private:
  friend class TcpConnection;
  struct UdpSocket {
    uv_poll_t poll;
    Worker* worker;
    int fd;
  };
  struct TcpListener {
    uv_tcp_t tcp;
    Worker* worker;
  };

  void run() noexcept;
  void on_udp_readable(UdpSocket& socket) noexcept;
  void on_tcp_connection(uv_stream_t* listener) noexcept;
  void close_all() noexcept;
  void connection_closed(TcpConnection* connection) noexcept;

  unsigned index_;
  runtime::LocalSnapshot snapshot_;
  query::PolicyState policy_state_;
  stats::WorkerStats stats_;
  WorkerSockets sockets_;
  uv_loop_t loop_;
  uv_async_t stop_async_;
  uv_timer_t query_log_timer_;  // reports suppressed query log lines once a second
  std::vector<std::unique_ptr<UdpSocket>> udp_;
  std::vector<std::unique_ptr<TcpListener>> tcp_;
  std::unordered_set<TcpConnection*> connections_;
  std::unique_ptr<UdpBatch> batch_;
  std::unique_ptr<QueryLog> query_log_;
  std::thread thread_;
  bool loop_ready_ = false;
};

}  // namespace gslbd::server
