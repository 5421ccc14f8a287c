#include "tcp_connection.hpp"

#include <cstring>

#include "gslbd/dnstap/writer.hpp"
#include "gslbd/query/answer.hpp"
#include "gslbd/server/worker.hpp"
#include "gslbd/util/clock.hpp"
#include "peer_address.hpp"
#include "query_log.hpp"

namespace gslbd::server {

TcpConnection::TcpConnection(Worker& worker, std::uint32_t idle_timeout_ms)
    : worker_(worker),
      in_(new std::uint8_t[kBufferSize]),
      out_(new std::uint8_t[kBufferSize]),
      idle_timeout_ms_(idle_timeout_ms) {}

void TcpConnection::accept(Worker& worker, uv_stream_t* listener, std::uint32_t idle_timeout_ms) {
  auto* connection = new TcpConnection(worker, idle_timeout_ms);
  uv_tcp_init(listener->loop, &connection->tcp_);
  uv_timer_init(listener->loop, &connection->idle_);
  connection->tcp_.data = connection;
  connection->idle_.data = connection;
  connection->write_.data = connection;
  connection->open_handles_ = 2;
  worker.connections_.insert(connection);
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&connection->tcp_)) != 0) {
    connection->close();
    return;
  }
  uv_tcp_nodelay(&connection->tcp_, 1);
  sockaddr_storage peer{};
  int peer_len = sizeof peer;
  if (uv_tcp_getpeername(&connection->tcp_, reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0) {
    connection->peer_ = peer_address(peer);
    connection->peer_sockaddr_ = peer;
  }
  int local_len = sizeof connection->local_;
  if (uv_tcp_getsockname(&connection->tcp_, reinterpret_cast<sockaddr*>(&connection->local_),
                         &local_len) != 0) {
    connection->local_ = {};
  }
  connection->arm_idle_timer();
  connection->start_reading();
}

void TcpConnection::arm_idle_timer() noexcept {
  uv_timer_start(
      &idle_, [](uv_timer_t* timer) { static_cast<TcpConnection*>(timer->data)->close(); },
      idle_timeout_ms_, 0);
}

void TcpConnection::start_reading() noexcept {
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&tcp_),
      [](uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
        auto* self = static_cast<TcpConnection*>(handle->data);
        buf->base = reinterpret_cast<char*>(self->in_.get() + self->in_len_);
        buf->len = kBufferSize - self->in_len_;
      },
      [](uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
        static_cast<TcpConnection*>(stream->data)->on_read(nread);
      });
}

void TcpConnection::on_read(ssize_t nread) noexcept {
  if (nread < 0) {
    close();
    return;
  }
  in_len_ += static_cast<std::size_t>(nread);
  process();
}

void TcpConnection::process() noexcept {
  const runtime::Snapshot& snapshot = worker_.snapshot_.refresh();
  worker_.policy_state_.prepare(snapshot);
  stats::QueryRecord record;
  const query::QueryContext context{query::Transport::tcp, peer_, &worker_.policy_state_, &record};
  while (!writing_ && !closing_ && in_len_ >= 2) {
    const std::size_t length = (std::size_t{in_[0]} << 8) | in_[1];
    if (in_len_ < 2 + length) break;
    record = stats::QueryRecord{};
    const std::uint64_t start = util::monotonic_ns();
    const std::uint64_t start_wall = worker_.tcp_tap_ != nullptr ? dnstap::realtime_ns() : 0;
    const std::size_t size = query::answer_query(snapshot, in_.get() + 2, length, context,
                                                 out_.get() + 2, kBufferSize - 2);
    const std::uint64_t end = util::monotonic_ns();
    const auto duration_us = static_cast<std::uint32_t>((end - start) / 1000);
    worker_.stats_.record(record, duration_us);
    worker_.query_log_->log(*snapshot.config, peer_, in_.get() + 2, record, size, duration_us, end);
    if (worker_.tcp_tap_ != nullptr) {
      worker_.tcp_tap_->record(true, peer_sockaddr_, &local_, start_wall, dnstap::realtime_ns(),
                               in_.get() + 2, length, out_.get() + 2, size);
    }
    in_len_ -= 2 + length;
    std::memmove(in_.get(), in_.get() + 2 + length, in_len_);
    if (size != 0 && !send_answer(size)) return;
  }
  // RFC 7766 section 6.2.3: the idle time counts from the last answer or query.
  if (!writing_ && !closing_) arm_idle_timer();
}

bool TcpConnection::send_answer(std::size_t size) noexcept {
  out_[0] = static_cast<std::uint8_t>(size >> 8);
  out_[1] = static_cast<std::uint8_t>(size & 0xff);
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(out_.get()), static_cast<unsigned>(size + 2));
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  const int written = uv_try_write(stream, &buf, 1);
  if (written == static_cast<int>(size + 2)) return true;
  if (written < 0 && written != UV_EAGAIN) {
    close();
    return false;
  }
  // The rest goes out asynchronously from out_, which stays untouched until on_written; no more
  // queries are read or answered meanwhile (back-pressure on the client).
  const std::size_t done = written > 0 ? static_cast<std::size_t>(written) : 0;
  buf = uv_buf_init(reinterpret_cast<char*>(out_.get() + done),
                    static_cast<unsigned>(size + 2 - done));
  writing_ = true;
  uv_read_stop(stream);
  if (uv_write(&write_, stream, &buf, 1, [](uv_write_t* req, int status) {
        static_cast<TcpConnection*>(req->data)->on_written(status);
      }) != 0) {
    writing_ = false;
    close();
  }
  return false;
}

void TcpConnection::on_written(int status) noexcept {
  writing_ = false;
  if (status != 0 || closing_) {
    close();
    return;
  }
  process();
  if (!writing_ && !closing_) start_reading();
}

void TcpConnection::close() noexcept {
  if (closing_) return;
  closing_ = true;
  auto closed = [](uv_handle_t* handle) {
    static_cast<TcpConnection*>(handle->data)->on_handle_closed();
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_), closed);
}

void TcpConnection::on_handle_closed() noexcept {
  if (--open_handles_ == 0) {
    worker_.connection_closed(this);
    delete this;
  }
}

}  // namespace gslbd::server
