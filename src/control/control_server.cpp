// SPDX-License-Identifier: Apache-2.0
#include "gslbd/control/control_server.hpp"

#include <netinet/in.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <unordered_set>

#include "gslbd/util/sockaddr.hpp"
#include "http_request.hpp"
#include "http_response.hpp"
#include "push_document.hpp"
#include "push_receiver.hpp"
#include "request_guard.hpp"
#include "router.hpp"

namespace gslbd::control {
namespace {

constexpr int kBacklog = 128;
constexpr std::size_t kReadChunk = 4096;

util::Address peer_address(uv_tcp_t* tcp) {
  sockaddr_storage storage{};
  int length = sizeof storage;
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return {};
  return util::client_address(storage);
}

LocalEndpoint local_endpoint(uv_tcp_t* tcp) {
  sockaddr_storage storage{};
  int length = sizeof storage;
  LocalEndpoint out;
  if (uv_tcp_getsockname(tcp, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return out;
  out.address = util::client_address(storage, &out.port);
  return out;
}

// Connections are counted per client address; an IPv6 client has a whole /64 to choose from.
util::Address source_of(const util::Address& peer) {
  return peer.family == 6 ? util::masked(peer, 64) : peer;
}

struct AddressLess {
  bool operator()(const util::Address& a, const util::Address& b) const noexcept {
    return a.family != b.family ? a.family < b.family : a.bytes < b.bytes;
  }
};

std::string endpoint_text(const runtime::ListenAddress& listen) {
  const bool v6 = listen.host.find(':') != std::string::npos;
  return (v6 ? "[" + listen.host + "]" : listen.host) + ":" + std::to_string(listen.port);
}

HttpLimits limits_of(const runtime::ControlConfig& settings) {
  HttpLimits limits;
  limits.max_head_bytes = settings.max_request_bytes;
  limits.max_body_bytes = settings.max_request_bytes;
  return limits;
}

}  // namespace

struct ControlServer::Impl {
  // One client connection. Heap-allocated and freed when both its handles have closed; after
  // close() it no longer touches the server (server is null), so the server may go first.
  struct Connection {
    explicit Connection(const HttpLimits& limits) : parser(limits) {}

    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_write_t write;
    uv_shutdown_t shutdown;
    Impl* server = nullptr;
    std::uint64_t id = 0;  // names the connection to a response that comes later
    util::Address source;  // what the per-source bound counts
    util::Address peer;
    LocalEndpoint local;
    HttpRequestParser parser;  // resumes where the previous read ended
    std::string response;      // kept until the write completes
    char chunk[kReadChunk];
    std::uint64_t deadline = 0;  // loop time by which the whole request must be in (once heard)
    bool heard = false;          // an octet has arrived
    // Links in the server's list of connections still waiting for their request.
    Connection* older = nullptr;
    Connection* newer = nullptr;
    bool waiting = false;  // in that list
    int open_handles = 0;
    bool responded = false;
    bool awaiting_response = false;  // the response comes later (a reload in progress)
    bool closing = false;
  };
  struct Listener {
    uv_tcp_t tcp;
    Impl* server = nullptr;  // null once closing
  };

  Impl(uv_loop_t* l, runtime::ControlConfig s, ControlContext c)
      : loop(l), state(l, std::move(s), std::move(c)) {}

  void on_connection(uv_stream_t* server_stream, int status);
  void on_read(Connection& c, ssize_t nread);
  void on_timer(Connection& c);
  void arm_timer(Connection& c);
  void respond(Connection& c, const HttpResponse& response, bool head_only);
  // Answers connection `id` later, if it is still open and this server still exists.
  Responder later(Connection& c, bool head_only);
  bool make_room(const util::Address& source);
  Connection* oldest_waiting(const util::Address* source) const noexcept;
  void link_newest(Connection& c) noexcept;
  void unlink(Connection& c) noexcept;
  void forget(Connection& c) noexcept;
  static void close(Connection& c) noexcept;
  void stop() noexcept;

  uv_loop_t* loop;
  ControlState state;
  Listener* listener = nullptr;
  std::uint16_t bound_port = 0;
  std::uint64_t next_id = 1;
  std::unordered_set<Connection*> connections;
  std::map<util::Address, std::uint32_t, AddressLess> per_source;  // open connections by source
  // The connections still waiting for their request, least recently heard from first (accept
  // counts as hearing): the first one is the one to evict when a new connection needs room.
  Connection* oldest = nullptr;
  Connection* newest = nullptr;
  // Responders hold a weak copy: one called after the server is gone does nothing.
  std::shared_ptr<Impl*> self = std::make_shared<Impl*>(this);
};

Responder ControlServer::Impl::later(Connection& c, bool head_only) {
  return [weak = std::weak_ptr<Impl*>(self), id = c.id, head_only](HttpResponse response) {
    const auto alive = weak.lock();
    if (!alive) return;
    Impl& server = **alive;
    // At most max_connections entries: a scan is cheaper than keeping an index.
    for (Connection* conn : server.connections) {
      if (conn->id == id && conn->awaiting_response && !conn->responded) {
        conn->awaiting_response = false;
        server.respond(*conn, response, head_only);
        return;
      }
    }
  };
}

void ControlServer::Impl::link_newest(Connection& c) noexcept {
  c.older = newest;
  c.newer = nullptr;
  if (newest != nullptr) newest->newer = &c;
  newest = &c;
  if (oldest == nullptr) oldest = &c;
  c.waiting = true;
}

void ControlServer::Impl::unlink(Connection& c) noexcept {
  if (!c.waiting) return;
  (c.older != nullptr ? c.older->newer : oldest) = c.newer;
  (c.newer != nullptr ? c.newer->older : newest) = c.older;
  c.older = c.newer = nullptr;
  c.waiting = false;
}

void ControlServer::Impl::forget(Connection& c) noexcept {
  unlink(c);
  connections.erase(&c);
  const auto it = per_source.find(c.source);
  if (it != per_source.end() && --it->second == 0) per_source.erase(it);
}

ControlServer::Impl::Connection* ControlServer::Impl::oldest_waiting(
    const util::Address* source) const noexcept {
  for (Connection* c = oldest; c != nullptr; c = c->newer) {
    if (source == nullptr || c->source == *source) return c;
  }
  return nullptr;
}

bool ControlServer::Impl::make_room(const util::Address& source) {
  // Evicting rather than refusing keeps the endpoint reachable for a client that sends its
  // request at once (a monitoring probe, gslbctl) while slow clients hold every slot: they are
  // the ones still waiting, and the least recently heard from goes first. The loops run at
  // most once each unless a reload lowered a bound below what is open.
  const runtime::ControlConfig& settings = state.settings;
  for (auto it = per_source.find(source);
       it != per_source.end() && it->second >= settings.max_connections_per_source;
       it = per_source.find(source)) {
    Connection* victim = oldest_waiting(&source);
    if (victim == nullptr) return false;
    ++state.counters.evicted_source_full;
    close(*victim);
  }
  while (connections.size() >= settings.max_connections) {
    Connection* victim = oldest_waiting(nullptr);
    if (victim == nullptr) return false;
    ++state.counters.evicted_server_full;
    close(*victim);
  }
  return true;
}

void ControlServer::Impl::close(Connection& c) noexcept {
  if (c.closing) return;
  c.closing = true;
  if (c.server != nullptr) c.server->forget(c);
  c.server = nullptr;
  auto closed = [](uv_handle_t* h) {
    auto* conn = static_cast<Connection*>(h->data);
    if (--conn->open_handles == 0) delete conn;
  };
  uv_timer_stop(&c.timer);
  uv_close(reinterpret_cast<uv_handle_t*>(&c.timer), closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&c.tcp), closed);
}

void ControlServer::Impl::arm_timer(Connection& c) {
  // Silence is bounded by idle_timeout (reset by every read); the whole request by the
  // deadline set at its first octet, which later reads never move.
  std::uint64_t timeout = state.settings.idle_timeout_ms;
  if (c.heard) {
    const std::uint64_t now = uv_now(loop);
    timeout = std::min(timeout, c.deadline > now ? c.deadline - now : 0);
  }
  uv_timer_start(
      &c.timer,
      [](uv_timer_t* t) {
        auto* conn = static_cast<Connection*>(t->data);
        if (conn->server != nullptr) conn->server->on_timer(*conn);
      },
      timeout, 0);
}

void ControlServer::Impl::on_timer(Connection& c) {
  if (c.responded || !c.heard) {  // the response was not taken in time, or nothing came
    if (!c.responded) ++state.counters.idle_timeouts;
    close(c);
    return;
  }
  if (uv_now(loop) >= c.deadline) {
    ++state.counters.request_timeouts;
    respond(c, json_error(408, "request not complete within the request timeout"), false);
  } else {
    ++state.counters.idle_timeouts;
    respond(c, json_error(408, "no octet of the request within the idle timeout"), false);
  }
}

void ControlServer::Impl::respond(Connection& c, const HttpResponse& response, bool head_only) {
  c.responded = true;
  unlink(c);  // no longer waiting: not a candidate for eviction
  ++state.counters.responses[response.status];
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c.tcp));
  c.response = serialize(response, head_only);
  // The idle timer now bounds the write too: a client that does not read is closed.
  uv_timer_start(
      &c.timer, [](uv_timer_t* t) { close(*static_cast<Connection*>(t->data)); },
      state.settings.idle_timeout_ms, 0);
  uv_buf_t buf = uv_buf_init(c.response.data(), static_cast<unsigned>(c.response.size()));
  const int rc = uv_write(
      &c.write, reinterpret_cast<uv_stream_t*>(&c.tcp), &buf, 1, [](uv_write_t* req, int status) {
        auto* conn = static_cast<Connection*>(req->data);
        if (conn->closing) return;
        if (status != 0) {
          close(*conn);
          return;
        }
        // Half-close so the client sees the end of the response, then close.
        const int rc2 =
            uv_shutdown(&conn->shutdown, reinterpret_cast<uv_stream_t*>(&conn->tcp),
                        [](uv_shutdown_t* s, int) { close(*static_cast<Connection*>(s->data)); });
        if (rc2 != 0) close(*conn);
      });
  if (rc != 0) close(c);
}

void ControlServer::Impl::on_read(Connection& c, ssize_t nread) {
  if (nread < 0) {  // EOF or error before a whole request arrived
    close(c);
    return;
  }
  if (!c.heard) {
    c.heard = true;
    c.deadline = uv_now(loop) + state.settings.request_timeout_ms;
  }
  const ParseResult& parsed =
      c.parser.feed(std::string_view(c.chunk, static_cast<std::size_t>(nread)));
  if (parsed.status == ParseStatus::incomplete) {
    unlink(c);
    link_newest(c);
    arm_timer(c);
    return;
  }
  if (parsed.status == ParseStatus::error) {
    // A push refused for its size is a peer's action lost: said where the operator sees it.
    if (parsed.http_status == 413 && c.parser.request().path == kPushPath) {
      note_oversized_push(state.counters.pushes, c.peer, parsed.reason);
    }
    respond(c, json_error(parsed.http_status, parsed.reason), false);
    return;
  }
  const HttpRequest& request = c.parser.request();
  const bool head_only = request.method == "HEAD";
  std::optional<HttpResponse> response;
  if (auto refusal = browser_refusal(request, c.local, state.settings.allowed_hosts)) {
    response = json_error(403, *refusal);
  } else {
    // The request is whole: no longer a candidate for eviction as a slow client. Marked before
    // routing: the responder may be called at once, from inside route().
    unlink(c);
    c.awaiting_response = true;
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&c.tcp));
    try {
      response = route(request, c.peer, state, later(c, head_only));
    } catch (const std::exception& e) {
      spdlog::error("control: {} {}: {}", request.method, request.path, e.what());
      response = json_error(500, "internal error");
    }
  }
  if (response) {
    c.awaiting_response = false;
    respond(c, *response, head_only);
  } else if (c.awaiting_response) {
    // The request is complete; the wait for its answer (a reload) is bounded by the work, not
    // by the request deadline, and the connection count stays bounded by max_connections.
    uv_timer_stop(&c.timer);
  }
}

void ControlServer::Impl::on_connection(uv_stream_t* server_stream, int status) {
  if (status < 0) return;
  auto* c = new Connection(limits_of(state.settings));
  c->tcp.data = c;
  c->timer.data = c;
  c->write.data = c;
  c->shutdown.data = c;
  uv_tcp_init(loop, &c->tcp);
  uv_timer_init(loop, &c->timer);
  c->open_handles = 2;
  if (uv_accept(server_stream, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    close(*c);
    return;
  }
  c->peer = peer_address(&c->tcp);
  c->source = source_of(c->peer);
  c->local = local_endpoint(&c->tcp);
  if (!make_room(c->source)) {
    ++state.counters.connections_rejected;
    close(*c);  // accepted only to be closed: the bound holds and the backlog drains
    return;
  }
  ++state.counters.connections_accepted;
  c->server = this;
  c->id = next_id++;
  connections.insert(c);
  ++per_source[c->source];
  link_newest(*c);
  arm_timer(*c);
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->tcp),
      [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
        auto* conn = static_cast<Connection*>(h->data);
        *buf = uv_buf_init(conn->chunk, sizeof conn->chunk);
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
        auto* conn = static_cast<Connection*>(s->data);
        if (conn->server == nullptr || conn->responded || nread == 0) return;
        conn->server->on_read(*conn, nread);
      });
}

void ControlServer::Impl::stop() noexcept {
  if (listener != nullptr) {
    listener->server = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&listener->tcp),
             [](uv_handle_t* h) { delete static_cast<Listener*>(h->data); });
    listener = nullptr;
  }
  while (!connections.empty()) close(**connections.begin());
  if (state.own_actions) state.own_actions->stop();
}

ControlServer::ControlServer(uv_loop_t* loop, runtime::ControlConfig settings,
                             ControlContext context)
    : impl_(std::make_unique<Impl>(loop, std::move(settings), std::move(context))) {}

ControlServer::~ControlServer() {
  stop();
}

bool ControlServer::start(std::string& error) {
  Impl& d = *impl_;
  if (d.listener != nullptr) return true;
  const runtime::ListenAddress& listen = d.state.settings.listen;
  sockaddr_storage address{};
  const bool v6 = listen.host.find(':') != std::string::npos;
  const int parsed =
      v6 ? uv_ip6_addr(listen.host.c_str(), listen.port, reinterpret_cast<sockaddr_in6*>(&address))
         : uv_ip4_addr(listen.host.c_str(), listen.port, reinterpret_cast<sockaddr_in*>(&address));
  if (parsed != 0) {
    error = "control: bad listen address " + endpoint_text(listen);
    return false;
  }
  auto* listener = new Impl::Listener;
  listener->tcp.data = listener;
  uv_tcp_init(d.loop, &listener->tcp);
  // libuv sets SO_REUSEADDR on Linux: a restart does not wait for TIME_WAIT connections.
  int rc = uv_tcp_bind(&listener->tcp, reinterpret_cast<const sockaddr*>(&address),
                       v6 ? UV_TCP_IPV6ONLY : 0);
  if (rc == 0) {
    listener->server = &d;
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener->tcp), kBacklog,
                   [](uv_stream_t* s, int status) {
                     Impl* server = static_cast<Impl::Listener*>(s->data)->server;
                     if (server != nullptr) server->on_connection(s, status);
                   });
  }
  if (rc != 0) {
    error = "control: cannot listen on " + endpoint_text(listen) + ": " + uv_strerror(rc);
    listener->server = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&listener->tcp),
             [](uv_handle_t* h) { delete static_cast<Impl::Listener*>(h->data); });
    return false;
  }
  sockaddr_storage bound{};
  int length = sizeof bound;
  if (uv_tcp_getsockname(&listener->tcp, reinterpret_cast<sockaddr*>(&bound), &length) == 0) {
    d.bound_port =
        ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port
                                          : reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  }
  d.listener = listener;
  return true;
}

void ControlServer::stop() noexcept {
  if (!impl_) return;
  impl_->stop();
  impl_->bound_port = 0;
}

void ControlServer::update(const runtime::ControlConfig& settings) {
  runtime::ControlConfig& current = impl_->state.settings;
  if (!(settings.listen == current.listen)) {
    spdlog::warn("control: listen address {} changes only on restart",
                 endpoint_text(settings.listen));
  }
  const runtime::ListenAddress listen = current.listen;
  current = settings;
  current.listen = listen;
}

std::uint16_t ControlServer::port() const noexcept {
  return impl_->bound_port;
}

}  // namespace gslbd::control
