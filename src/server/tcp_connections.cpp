// SPDX-License-Identifier: Apache-2.0
#include "tcp_connections.hpp"

#include <malloc.h>

#include <algorithm>
#include <random>

namespace gslbd::server {
namespace {

// Trimming walks every malloc arena: worth it only after a burst of connections went away.
constexpr std::size_t kTrimAfterBytes = 1 << 20;

}  // namespace

TcpConnections::TcpConnections(Answerer& answerer)
    : answerer_(answerer),
      stats_(answerer.stats()),
      in_(new std::uint8_t[TcpConnection::kMaxFrame]),
      out_(new std::uint8_t[TcpConnection::kMaxFrame]),
      seed_((std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()) {}

void TcpConnections::accept(uv_stream_t* listener, const runtime::ServerConfig& server) noexcept {
  TcpConnection* connection = TcpConnection::accept(*this, listener);
  if (connection == nullptr) return;
  try {
    fit_sources(server);
  } catch (const std::bad_alloc&) {
    stats_.drop(stats::Drop::tcp_cap);
    connection->close();
    return;
  }
  const util::Address network = sources_->network(connection->peer());
  const std::uint32_t per_source = server.tcp_max_connections_per_source;
  if (per_source != 0 && sources_->count(network) >= per_source) {
    stats_.tcp_closed(stats::TcpClose::source_limit);
    connection->close();
    return;
  }
  if (open_ >= server.tcp_max_connections && !make_room(uv_now(listener->loop))) {
    // Accepted and closed at once, so the client learns now instead of timing out.
    stats_.drop(stats::Drop::tcp_cap);
    connection->close();
    return;
  }
  if (!sources_->try_add(network, 0)) {  // not reached: the table has room for open_ + 1
    stats_.drop(stats::Drop::tcp_cap);
    connection->close();
    return;
  }
  ++open_;
  connection->start(network, {server.tcp_idle_timeout_ms, server.tcp_frame_timeout_ms});
}

// A connection gets half its frame timeout before it can be evicted, in either state: a slow
// client is then well on its way to its deadline, and a client accepted a moment ago (idle
// because its query has not been read yet) is not pushed out by the next accept of a burst.
bool TcpConnections::make_room(std::uint64_t now) noexcept {
  auto evictable = [now](const TcpConnection* c) {
    return c != nullptr && now - c->since_ms() >= c->frame_timeout_ms() / 2;
  };
  if (TcpConnection* slow = busy.front(); evictable(slow)) {
    stats_.tcp_closed(stats::TcpClose::evicted_slow);
    slow->close();
    return true;
  }
  if (TcpConnection* oldest = idle.front(); evictable(oldest)) {
    stats_.tcp_closed(stats::TcpClose::evicted_idle);
    oldest->close();
    return true;
  }
  return false;
}

// Sized for the configured cap (plus the connection being admitted, and more if a reload
// lowered the cap below what is open); rebuilt from the open connections when a reload
// changes the cap or the prefixes.
void TcpConnections::fit_sources(const runtime::ServerConfig& server) {
  const std::size_t needed = std::max<std::size_t>(server.tcp_max_connections, open_) + 1;
  if (sources_ && sources_for_max_ == server.tcp_max_connections &&
      sources_->max_networks() >= needed && sources_->v4_prefix() == server.tcp_source_prefix_v4 &&
      sources_->v6_prefix() == server.tcp_source_prefix_v6) {
    return;
  }
  sources_.emplace(needed, server.tcp_source_prefix_v4, server.tcp_source_prefix_v6, seed_);
  sources_for_max_ = server.tcp_max_connections;
  for (TcpConnectionList* list : {&idle, &busy}) {
    for (TcpConnection* c = list->front(); c != nullptr; c = c->next()) {
      c->set_network(sources_->network(c->peer()));
      sources_->try_add(c->network(), 0);
    }
  }
}

void TcpConnections::close_all() noexcept {
  // close() takes a connection off its list.
  while (!idle.empty()) idle.front()->close();
  while (!busy.empty()) busy.front()->close();
}

void TcpConnections::tick() noexcept {
  stats_.set_tcp_connections(open_, heap_bytes_);
  if (released_ >= kTrimAfterBytes) {
    malloc_trim(0);
    released_ = 0;
  }
}

void TcpConnections::heap_changed(std::ptrdiff_t delta) noexcept {
  heap_bytes_ = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(heap_bytes_) + delta);
  if (delta < 0) released_ += static_cast<std::size_t>(-delta);
}

void TcpConnections::closing(TcpConnection* connection) noexcept {
  sources_->remove(connection->network());
  --open_;
}

void TcpConnections::freed(std::size_t bytes) noexcept {
  released_ += bytes;
}

}  // namespace gslbd::server
