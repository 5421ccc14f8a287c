// SPDX-License-Identifier: Apache-2.0
#include "gslbd/server/shard.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "answerer.hpp"
#include "gslbd/dnstap/writer.hpp"
#include "gslbd/util/clock.hpp"
#include "tcp_connection.hpp"
#include "tcp_connections.hpp"
#include "udp_receiver.hpp"

namespace gslbd::server {

Shard::Shard(unsigned index, const runtime::SnapshotPublisher& publisher, ShardSockets sockets,
             dnstap::Writer* dnstap)
    : index_(index),
      // Lane 0 is the TCP loop; the UDP receivers follow.
      tcp_answerer_(std::make_unique<Answerer>(publisher, index, 0u,
                                               dnstap != nullptr ? dnstap->add_tap() : nullptr)),
      sockets_(std::move(sockets)),
      tcp_(std::make_unique<TcpConnections>(*tcp_answerer_)) {
  unsigned lane = 1;
  for (int fd : sockets_.udp) {
    udp_.push_back(std::make_unique<UdpReceiver>(index, lane++, fd, publisher,
                                                 dnstap != nullptr ? dnstap->add_tap() : nullptr));
  }
  sockets_.udp.clear();  // the receivers own them now
}

Shard::~Shard() {
  stop();
  join();
  if (loop_ready_) uv_loop_close(&loop_);
  std::vector<ShardSockets> left{std::move(sockets_)};
  close_sockets(left);
}

void Shard::start() {
  if (uv_loop_init(&loop_) != 0) throw std::runtime_error("cannot create an event loop");
  loop_ready_ = true;
  uv_async_init(&loop_, &stop_async_,
                [](uv_async_t* async) { static_cast<Shard*>(async->data)->close_all(); });
  stop_async_.data = this;
  uv_timer_init(&loop_, &second_timer_);
  second_timer_.data = this;
  uv_timer_start(
      &second_timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Shard*>(timer->data);
        self->tcp_answerer_->query_log().flush(util::monotonic_ns());
        self->tcp_->tick();
      },
      1000, 1000);

  for (int fd : sockets_.tcp) {
    auto listener = std::make_unique<TcpListener>();
    listener->shard = this;
    uv_tcp_init(&loop_, &listener->tcp);
    if (uv_tcp_open(&listener->tcp, fd) != 0)
      throw std::runtime_error("libuv refused a TCP socket");
    listener->tcp.data = listener.get();
    const int backlog = 1024;
    if (uv_listen(reinterpret_cast<uv_stream_t*>(&listener->tcp), backlog,
                  [](uv_stream_t* server, int status) {
                    if (status == 0)
                      static_cast<TcpListener*>(server->data)->shard->on_tcp_connection(server);
                  }) != 0) {
      throw std::runtime_error("libuv cannot listen on a TCP socket");
    }
    listeners_.push_back(std::move(listener));
  }
  sockets_.tcp.clear();  // libuv owns them now and closes them with their handles
  thread_ = std::thread([this] { run(); });
  for (auto& receiver : udp_) receiver->start();
}

void Shard::run() noexcept {
  uv_run(&loop_, UV_RUN_DEFAULT);
  spdlog::debug("shard {} stopped", index_);
}

void Shard::stop() noexcept {
  for (auto& receiver : udp_) receiver->stop();
  if (loop_ready_ && thread_.joinable()) uv_async_send(&stop_async_);
}

void Shard::join() {
  for (auto& receiver : udp_) receiver->join();
  if (thread_.joinable()) thread_.join();
}

std::vector<const stats::WorkerStats*> Shard::stats() const {
  std::vector<const stats::WorkerStats*> all{&tcp_answerer_->stats()};
  for (const auto& receiver : udp_) all.push_back(&receiver->stats());
  return all;
}

void Shard::on_tcp_connection(uv_stream_t* listener) noexcept {
  tcp_->accept(listener, tcp_answerer_->refresh().config->server);
}

void Shard::close_all() noexcept {
  for (auto& listener : listeners_)
    uv_close(reinterpret_cast<uv_handle_t*>(&listener->tcp), nullptr);
  tcp_->close_all();
  uv_timer_stop(&second_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&second_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&stop_async_), nullptr);
}

}  // namespace gslbd::server
