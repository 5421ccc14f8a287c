// SPDX-License-Identifier: Apache-2.0
#include "tcp_connection.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "answerer.hpp"
#include "gslbd/dnstap/writer.hpp"
#include "gslbd/util/clock.hpp"
#include "gslbd/util/sockaddr.hpp"
#include "tcp_connections.hpp"

namespace gslbd::server {
namespace {

std::size_t frame_size(const std::uint8_t* prefix) noexcept {
  return 2 + ((std::size_t{prefix[0]} << 8) | prefix[1]);
}

}  // namespace

void TcpConnectionList::push_back(TcpConnection* connection) noexcept {
  connection->list_ = this;
  connection->prev_ = tail_;
  connection->next_ = nullptr;
  (tail_ != nullptr ? tail_->next_ : head_) = connection;
  tail_ = connection;
}

void TcpConnectionList::erase(TcpConnection* connection) noexcept {
  (connection->prev_ != nullptr ? connection->prev_->next_ : head_) = connection->next_;
  (connection->next_ != nullptr ? connection->next_->prev_ : tail_) = connection->prev_;
  connection->list_ = nullptr;
  connection->prev_ = connection->next_ = nullptr;
}

TcpConnection::TcpConnection(TcpConnections& connections) noexcept
    : connections_(connections), in_(inline_) {}

TcpConnection::~TcpConnection() {
  release_input();
  if (out_ != nullptr) {
    std::free(out_);
    connections_.heap_changed(-static_cast<std::ptrdiff_t>(out_len_));
  }
}

std::size_t TcpConnection::heap_bytes() const noexcept {
  return (in_ != inline_ ? in_cap_ : 0) + (out_ != nullptr ? out_len_ : 0);
}

TcpConnection* TcpConnection::accept(TcpConnections& connections, uv_stream_t* listener) noexcept {
  auto* connection = new (std::nothrow) TcpConnection(connections);
  if (connection == nullptr) return nullptr;
  uv_tcp_init(listener->loop, &connection->tcp_);
  uv_timer_init(listener->loop, &connection->timer_);
  connection->tcp_.data = connection;
  connection->timer_.data = connection;
  connection->write_.data = connection;
  connection->open_handles_ = 2;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&connection->tcp_)) != 0) {
    connection->close();
    return nullptr;
  }
  sockaddr_storage peer{};
  int peer_len = sizeof peer;
  if (uv_tcp_getpeername(&connection->tcp_, reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0) {
    connection->peer_ = util::client_address(peer);
    connection->peer_sockaddr_ = peer;
  }
  int local_len = sizeof connection->local_;
  if (uv_tcp_getsockname(&connection->tcp_, reinterpret_cast<sockaddr*>(&connection->local_),
                         &local_len) != 0) {
    connection->local_ = {};
  }
  return connection;
}

void TcpConnection::start(const util::Address& network, TcpTimeouts timeouts) noexcept {
  network_ = network;
  timeouts_ = timeouts;
  started_ = true;
  uv_tcp_nodelay(&tcp_, 1);
  since_ms_ = uv_now(tcp_.loop);
  connections_.idle.push_back(this);
  deadline_ms_ = since_ms_ + timeouts_.idle_ms;
  uv_timer_start(
      &timer_, [](uv_timer_t* timer) { static_cast<TcpConnection*>(timer->data)->on_deadline(); },
      timeouts_.idle_ms, 0);
  start_reading();
}

void TcpConnection::start_reading() noexcept {
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&tcp_),
      [](uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
        // Every connection reads into the worker's buffer: read_cb keeps what it cannot answer
        // before it returns, and libuv reads one stream at a time on this thread.
        auto* self = static_cast<TcpConnection*>(handle->data);
        buf->base = reinterpret_cast<char*>(self->connections_.in_buffer());
        buf->len = kMaxFrame;
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
  if (nread == 0) return;
  feed(connections_.in_buffer(), static_cast<std::size_t>(nread));
  if (!closing_) settle();
}

// While reading, the store holds less than one frame (drain_stored() empties it of whole frames
// before reading resumes), so new octets first complete that frame; whole frames after it are
// answered in place and the unfinished rest is stored.
void TcpConnection::feed(const std::uint8_t* data, std::size_t size) noexcept {
  if (in_len_ > 0) {
    if (in_len_ < 2) {
      const std::size_t take = std::min(size, 2 - in_len_);
      if (!store(data, take)) return;
      data += take;
      size -= take;
      if (in_len_ < 2) return;
    }
    const std::size_t frame = frame_size(in_);
    const std::size_t take = std::min(size, frame - in_len_);
    if (!store(data, take)) return;
    data += take;
    size -= take;
    if (in_len_ < frame) return;
    in_len_ = 0;
    // The frame stays readable until release_input(): answer() copies what it needs out first.
    const bool go_on = answer(in_ + 2, frame - 2);
    release_input();
    if (!go_on) {
      if (!closing_ && size > 0) store(data, size);
      return;
    }
  }
  while (size >= 2 && size >= frame_size(data)) {
    const std::size_t frame = frame_size(data);
    const bool go_on = answer(data + 2, frame - 2);
    data += frame;
    size -= frame;
    if (!go_on) break;
  }
  if (!closing_ && size > 0) store(data, size);
}

// After a write completes: answers the whole frames stored meanwhile and keeps the rest.
void TcpConnection::drain_stored() noexcept {
  std::size_t used = 0;
  while (!writing_ && !closing_ && in_len_ - used >= 2 &&
         in_len_ - used >= frame_size(in_ + used)) {
    const std::size_t frame = frame_size(in_ + used);
    answer(in_ + used + 2, frame - 2);
    used += frame;
  }
  if (closing_ || used == 0) return;
  in_len_ -= used;
  std::memmove(in_, in_ + used, in_len_);
  if (in_len_ == 0) release_input();
}

bool TcpConnection::answer(const std::uint8_t* message, std::size_t length) noexcept {
  Answerer& answerer = connections_.answerer();
  answerer.refresh();
  std::uint8_t* out = connections_.out_buffer();
  const std::uint64_t start = util::monotonic_ns();
  dnstap::Tap* tap = answerer.tap();
  const std::uint64_t start_wall = tap != nullptr ? dnstap::realtime_ns() : 0;
  const std::size_t size = answerer.answer_one(query::Transport::tcp, peer_, message, length,
                                               out + 2, kMaxFrame - 2, start);
  if (tap != nullptr) {
    tap->record(true, peer_sockaddr_, &local_, start_wall, dnstap::realtime_ns(), message, length,
                out + 2, size);
  }
  answered_ = true;
  return size == 0 || send_answer(size);
}

// True when the answer went out whole; false when the rest is being written asynchronously
// (reading paused) or the connection failed.
bool TcpConnection::send_answer(std::size_t size) noexcept {
  std::uint8_t* out = connections_.out_buffer();
  out[0] = static_cast<std::uint8_t>(size >> 8);
  out[1] = static_cast<std::uint8_t>(size & 0xff);
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(out), static_cast<unsigned>(size + 2));
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  const int written = uv_try_write(stream, &buf, 1);
  if (written == static_cast<int>(size + 2)) return true;
  if (written < 0 && written != UV_EAGAIN) {
    close();
    return false;
  }
  // The worker's buffer is reused by the next answer: the rest moves to the heap until sent.
  const std::size_t done = written > 0 ? static_cast<std::size_t>(written) : 0;
  out_len_ = size + 2 - done;
  out_ = static_cast<std::uint8_t*>(std::malloc(out_len_));
  if (out_ == nullptr) {
    out_len_ = 0;
    close();
    return false;
  }
  connections_.heap_changed(static_cast<std::ptrdiff_t>(out_len_));
  std::memcpy(out_, out + done, out_len_);
  buf = uv_buf_init(reinterpret_cast<char*>(out_), static_cast<unsigned>(out_len_));
  writing_ = true;
  out_since_ms_ = uv_now(tcp_.loop);
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
  std::free(out_);
  connections_.heap_changed(-static_cast<std::ptrdiff_t>(out_len_));
  out_ = nullptr;
  out_len_ = 0;
  if (status != 0 || closing_) {
    close();
    return;
  }
  drain_stored();
  if (closing_) return;
  if (!writing_) start_reading();
  settle();
}

bool TcpConnection::store(const std::uint8_t* data, std::size_t size) noexcept {
  if (size == 0) return true;
  if (in_len_ == 0) in_since_ms_ = uv_now(tcp_.loop);
  if (!reserve(in_len_ + size)) {
    close();
    return false;
  }
  std::memcpy(in_ + in_len_, data, size);
  in_len_ += size;
  return true;
}

// Doubling keeps the copies linear in the frame; the invariants above keep the store within
// one frame (or one read), so it never exceeds kMaxFrame.
bool TcpConnection::reserve(std::size_t capacity) noexcept {
  if (capacity <= in_cap_) return true;
  const std::size_t grown = std::min(std::max(capacity, 2 * in_cap_), kMaxFrame);
  if (capacity > grown) return false;
  auto* block = static_cast<std::uint8_t*>(std::malloc(grown));
  if (block == nullptr) return false;
  std::memcpy(block, in_, in_len_);
  const std::size_t old_heap = in_ != inline_ ? in_cap_ : 0;
  if (in_ != inline_) std::free(in_);
  connections_.heap_changed(static_cast<std::ptrdiff_t>(grown) -
                            static_cast<std::ptrdiff_t>(old_heap));
  in_ = block;
  in_cap_ = grown;
  return true;
}

void TcpConnection::release_input() noexcept {
  if (in_ == inline_) return;
  std::free(in_);
  connections_.heap_changed(-static_cast<std::ptrdiff_t>(in_cap_));
  in_ = inline_;
  in_cap_ = kInlineSize;
  in_len_ = 0;
}

// After each event: puts the connection on the worker's idle or busy list and arms the timer
// for the deadline of its state. A partial read leaves both unchanged.
void TcpConnection::settle() noexcept {
  const std::uint64_t now = uv_now(tcp_.loop);
  const bool busy = writing_ || in_len_ > 0;
  std::uint64_t since = since_ms_;
  std::uint64_t deadline = deadline_ms_;
  TcpConnectionList& list = busy ? connections_.busy : connections_.idle;
  if (busy) {
    since = writing_ ? out_since_ms_ : in_since_ms_;
    if (writing_ && in_len_ > 0) since = std::min(since, in_since_ms_);
    deadline = since + timeouts_.frame_ms;
  } else if (list_ != &list || answered_) {
    // RFC 7766 section 6.2.3: the idle time counts from the last answer or query.
    since = now;
    deadline = now + timeouts_.idle_ms;
  }
  answered_ = false;
  if (list_ != &list || since != since_ms_) {
    if (list_ != nullptr) list_->erase(this);
    list.push_back(this);
    since_ms_ = since;
  }
  if (deadline != deadline_ms_) {
    deadline_ms_ = deadline;
    uv_timer_start(
        &timer_, [](uv_timer_t* timer) { static_cast<TcpConnection*>(timer->data)->on_deadline(); },
        deadline > now ? deadline - now : 0, 0);
  }
}

void TcpConnection::on_deadline() noexcept {
  connections_.answerer().stats().tcp_closed(writing_      ? stats::TcpClose::write_timeout
                                             : in_len_ > 0 ? stats::TcpClose::frame_timeout
                                                           : stats::TcpClose::idle_timeout);
  close();
}

void TcpConnection::close() noexcept {
  if (closing_) return;
  closing_ = true;
  if (list_ != nullptr) list_->erase(this);
  if (started_) connections_.closing(this);
  auto closed = [](uv_handle_t* handle) {
    static_cast<TcpConnection*>(handle->data)->on_handle_closed();
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), closed);
}

void TcpConnection::on_handle_closed() noexcept {
  if (--open_handles_ == 0) {
    TcpConnections& connections = connections_;
    delete this;
    connections.freed(sizeof(TcpConnection));
  }
}

}  // namespace gslbd::server
