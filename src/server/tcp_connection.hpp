// One DNS-over-TCP client connection (RFC 7766): length-prefixed queries, pipelined, answered
// in order; an idle timeout; reading pauses while an answer is still being written, so a client
// that does not read cannot make us buffer without bound. Lives on its worker's loop only.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "gslbd/util/address.hpp"

namespace gslbd::server {

class Worker;

class TcpConnection {
 public:
  // Accepts from listener; the connection deletes itself when closed.
  static void accept(Worker& worker, uv_stream_t* listener, std::uint32_t idle_timeout_ms);

  void close() noexcept;

 private:
  static constexpr std::size_t kBufferSize = 2 + 65535;

  explicit TcpConnection(Worker& worker, std::uint32_t idle_timeout_ms);
  void arm_idle_timer() noexcept;
  void start_reading() noexcept;
  void on_read(ssize_t nread) noexcept;
  void process() noexcept;
  bool send_answer(std::size_t size) noexcept;
  void on_written(int status) noexcept;
  void on_handle_closed() noexcept;

  Worker& worker_;
  uv_tcp_t tcp_;
  uv_timer_t idle_;
  uv_write_t write_;
  std::unique_ptr<std::uint8_t[]> in_;
  std::unique_ptr<std::uint8_t[]> out_;
  std::size_t in_len_ = 0;
  util::Address peer_;
  sockaddr_storage peer_sockaddr_{};  // the client and our own end, for dnstap
  sockaddr_storage local_{};
  std::uint32_t idle_timeout_ms_;
  bool writing_ = false;
  bool closing_ = false;
  int open_handles_ = 0;
};

}  // namespace gslbd::server
