// SPDX-License-Identifier: Apache-2.0
// A worker's DNS TCP connections as a whole: who gets a slot (the cap, the per-source limit,
// and at the cap the eviction of a connection that is slow or idle), the idle and busy lists
// eviction picks from, the two frame buffers every connection shares, and the heap the
// connections hold, and the TCP loop's answering bundle they all answer through. TCP loop only.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "answerer.hpp"
#include "gslbd/runtime/server_config.hpp"
#include "gslbd/stats/worker_stats.hpp"
#include "tcp_connection.hpp"
#include "tcp_source_table.hpp"

namespace gslbd::server {

class TcpConnections {
 public:
  explicit TcpConnections(Answerer& answerer);
  TcpConnections(const TcpConnections&) = delete;
  TcpConnections& operator=(const TcpConnections&) = delete;

  // A listener has a connection waiting: accepts it, then admits it or closes it at once. At
  // the cap it closes the connection that has been mid-frame (or writing) longest, else the
  // one idle longest, if that has been so for half its frame timeout, so a new client gets in
  // while slow or idle clients hold the slots; only when every slot changed state recently is
  // the new one refused.
  void accept(uv_stream_t* listener, const runtime::ServerConfig& server) noexcept;
  void close_all() noexcept;
  // Once a second: publishes the gauges and, after connections released a lot of memory, gives
  // the free pages back to the system (off the query path).
  void tick() noexcept;

  // For TcpConnection.
  Answerer& answerer() noexcept { return answerer_; }
  std::uint8_t* in_buffer() noexcept { return in_.get(); }
  std::uint8_t* out_buffer() noexcept { return out_.get(); }
  void heap_changed(std::ptrdiff_t delta) noexcept;
  void closing(TcpConnection* connection) noexcept;  // a started connection closes
  void freed(std::size_t bytes) noexcept;            // a connection object was deleted
  // In the order connections entered their state (a connection goes to the back whenever its
  // state or the start of its oldest unfinished work changes), so the front is the oldest or
  // close to it.
  TcpConnectionList idle;  // waiting for a query
  TcpConnectionList busy;  // mid-frame or writing

  std::size_t open() const noexcept { return open_; }

 private:
  bool make_room(std::uint64_t now) noexcept;
  void fit_sources(const runtime::ServerConfig& server);

  Answerer& answerer_;
  stats::WorkerStats& stats_;  // the answerer's
  std::unique_ptr<std::uint8_t[]> in_;
  std::unique_ptr<std::uint8_t[]> out_;
  std::optional<TcpSourceTable> sources_;
  std::uint32_t sources_for_max_ = 0;  // the tcp.max_connections sources_ was sized for
  std::uint64_t seed_;
  std::size_t open_ = 0;        // started and not closing
  std::size_t heap_bytes_ = 0;  // held by connections for partial frames and unsent answers
  std::size_t released_ = 0;    // freed since the last trim
};

}  // namespace gslbd::server
