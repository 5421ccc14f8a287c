// SPDX-License-Identifier: Apache-2.0
// One DNS-over-TCP client connection (RFC 7766): length-prefixed queries, pipelined, answered
// in order. Lives on its worker's loop only.
//
// Time limits: between queries the idle timeout applies, counted from the last answer (or the
// accept); from the first octet of a query frame the whole frame must arrive within the frame
// timeout, and an answer the kernel could not take at once must be taken by the client within
// the frame timeout. A partial read never moves a deadline, so a client trickling octets is
// closed at the frame deadline however it paces them.
//
// Memory follows need: reads go into the worker's shared buffer and complete frames are answered
// from there; only the unfinished end of a read is kept, inline while small, else in a heap
// buffer grown by doubling to what arrived (never past one frame) and freed when the frame is
// done. Answers are written from the worker's shared buffer; only the part the kernel did not
// take is copied to the heap, and reading pauses until it is sent, so a connection holds at most
// one frame in and one answer out.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>

#include "gslbd/util/address.hpp"

namespace gslbd::server {

class TcpConnection;
class TcpConnections;

// Connections in the order they entered their current state (an intrusive list: no allocation).
class TcpConnectionList {
 public:
  void push_back(TcpConnection* connection) noexcept;
  void erase(TcpConnection* connection) noexcept;
  TcpConnection* front() const noexcept { return head_; }
  bool empty() const noexcept { return head_ == nullptr; }

 private:
  TcpConnection* head_ = nullptr;
  TcpConnection* tail_ = nullptr;
};

struct TcpTimeouts {
  std::uint32_t idle_ms;
  std::uint32_t frame_ms;
};

class TcpConnection {
 public:
  // The largest frame: the length prefix and a 65535-octet message.
  static constexpr std::size_t kMaxFrame = 2 + 65535;

  // Accepts one connection from listener, not yet reading. nullptr when the accept failed.
  static TcpConnection* accept(TcpConnections& connections, uv_stream_t* listener) noexcept;

  // Starts serving: its TcpConnections has counted it under network and admitted it.
  void start(const util::Address& network, TcpTimeouts timeouts) noexcept;
  // Closes; the object deletes itself once libuv has let go of its handles.
  void close() noexcept;

  const util::Address& peer() const noexcept { return peer_; }
  const util::Address& network() const noexcept { return network_; }
  void set_network(const util::Address& network) noexcept { network_ = network; }
  // Worker loop time (ms) since which this connection has had unfinished work (busy) or has
  // been waiting for a query (idle).
  std::uint64_t since_ms() const noexcept { return since_ms_; }
  std::uint32_t frame_timeout_ms() const noexcept { return timeouts_.frame_ms; }
  TcpConnection* next() const noexcept { return next_; }  // on its list
  // Heap octets held for a partial frame and an unsent answer.
  std::size_t heap_bytes() const noexcept;

 private:
  friend class TcpConnectionList;
  static constexpr std::size_t kInlineSize = 512;  // holds the unfinished end of most queries

  explicit TcpConnection(TcpConnections& connections) noexcept;
  ~TcpConnection();
  void start_reading() noexcept;
  void on_read(ssize_t nread) noexcept;
  void feed(const std::uint8_t* data, std::size_t size) noexcept;
  void drain_stored() noexcept;
  bool answer(const std::uint8_t* message, std::size_t length) noexcept;
  bool send_answer(std::size_t size) noexcept;
  void on_written(int status) noexcept;
  bool store(const std::uint8_t* data, std::size_t size) noexcept;
  bool reserve(std::size_t capacity) noexcept;
  void release_input() noexcept;
  void settle() noexcept;
  void on_deadline() noexcept;
  void on_handle_closed() noexcept;

  TcpConnections& connections_;
  uv_tcp_t tcp_;
  uv_timer_t timer_;
  uv_write_t write_;
  util::Address peer_;
  util::Address network_;
  TcpTimeouts timeouts_{};
  // Worker list membership (the worker's idle or busy list, or none before start and after
  // close).
  TcpConnectionList* list_ = nullptr;
  TcpConnection* prev_ = nullptr;
  TcpConnection* next_ = nullptr;
  // Unanswered input: in_len_ octets at in_, which is inline_ or a heap block of in_cap_.
  std::uint8_t* in_;
  std::size_t in_len_ = 0;
  std::size_t in_cap_ = kInlineSize;
  std::uint64_t in_since_ms_ = 0;  // when the oldest stored octet arrived
  // The part of an answer the kernel has not taken yet (heap), while writing_.
  std::uint8_t* out_ = nullptr;
  std::size_t out_len_ = 0;
  std::uint64_t out_since_ms_ = 0;
  std::uint64_t since_ms_ = 0;
  std::uint64_t deadline_ms_ = 0;
  bool answered_ = false;  // a query was answered since the last settle()
  bool started_ = false;
  sockaddr_storage peer_sockaddr_{};  // the client and our own end, for dnstap
  sockaddr_storage local_{};
  bool writing_ = false;
  bool closing_ = false;
  int open_handles_ = 0;
  std::uint8_t inline_[kInlineSize];
};

}  // namespace gslbd::server
