// SPDX-License-Identifier: Apache-2.0
#include "name_lookup.hpp"

#include <sys/random.h>

#include <algorithm>
#include <new>
#include <utility>

#include "resolver_reply.hpp"
#include "sockaddr.hpp"

namespace gslbd::probe {
namespace {

// Larger than any reply to kResolverUdpSize; a datagram cut short is ignored.
constexpr std::size_t kReceiveBuffer = 2048;

std::uint16_t random_id() noexcept {
  std::uint16_t id = 0;
  // The ID is half of what keeps a forged reply out (RFC 5452): from the kernel's generator,
  // not the loop's seeded PRNG.
  if (getrandom(&id, sizeof id, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof id)) {
    id = static_cast<std::uint16_t>(uv_hrtime() * 2654435761u >> 7);
  }
  return id;
}

std::string rcode_text(unsigned rcode) {
  switch (rcode) {
    case 1:
      return "FORMERR";
    case 2:
      return "SERVFAIL";
    case 4:
      return "NOTIMP";
    case 5:
      return "REFUSED";
    default:
      return "RCODE " + std::to_string(rcode);
  }
}

bool address_less(const util::Address& a, const util::Address& b) noexcept {
  if (a.family != b.family) return a.family < b.family;
  return a.bytes < b.bytes;
}

}  // namespace

std::string resolver_text(const ResolverEndpoint& resolver) {
  return url_host(resolver.address) + ":" + std::to_string(resolver.port);
}

struct NameLookup::Socket {
  uv_udp_t udp;
  NameLookup* lookup = nullptr;  // stays set: its close callback counts down the lookup's handles
  bool active = true;            // false once closing: late datagrams are not read
  std::array<char, kReceiveBuffer> buffer{};
};

// One TCP connection to a resolver: the query with its 2-octet length, and the reply as it
// arrives. Freed by its close callback, after libuv has cancelled its connect and write.
struct NameLookup::Stream {
  uv_tcp_t tcp;
  uv_connect_t connect;
  uv_write_t write;
  NameLookup* lookup = nullptr;  // stays set: its close callback counts down the lookup's handles
  bool active = true;            // false once closing: late callbacks do nothing
  std::array<std::uint8_t, 2 + kMaxResolverQuery> request{};
  std::size_t received = 0;
  std::array<std::uint8_t, 2 + kMaxTcpReply> buffer{};
};

NameLookup::NameLookup(uv_loop_t* loop, std::vector<ResolverEndpoint> resolvers,
                       std::string name_wire, Done done)
    : loop_(loop),
      resolvers_(std::move(resolvers)),
      name_(std::move(name_wire)),
      done_(std::move(done)) {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  ++open_handles_;
}

NameLookup* NameLookup::start(uv_loop_t* loop, std::vector<ResolverEndpoint> resolvers,
                              std::string name_wire, Done done) {
  auto* lookup = new NameLookup(loop, std::move(resolvers), std::move(name_wire), std::move(done));
  if (!lookup->resolvers_.empty()) lookup->resolver_ = random_id() % lookup->resolvers_.size();
  lookup->send();
  return lookup;
}

void NameLookup::send() noexcept {
  close_socket();
  over_tcp_ = false;
  if (resolvers_.empty()) {
    // Reported from a timer callback, so that done never runs inside start().
    uv_timer_start(
        &timer_,
        [](uv_timer_t* timer) {
          static_cast<NameLookup*>(timer->data)->finish(false, "no resolver is configured");
        },
        0, 0);
    return;
  }
  const ResolverEndpoint& resolver = resolvers_[resolver_ % resolvers_.size()];
  id_ = random_id();
  query_size_ = build_resolver_query(name_, type_index_ == 0 ? kTypeA : kTypeAAAA, id_, query_);
  sockaddr_storage address;
  if (query_size_ == 0 || !to_sockaddr(resolver.address, resolver.port, address)) {
    uv_timer_start(
        &timer_,
        [](uv_timer_t* timer) {
          static_cast<NameLookup*>(timer->data)->finish(false, "the name cannot be asked for");
        },
        0, 0);
    return;
  }
  uv_timer_start(
      &timer_, [](uv_timer_t* timer) { static_cast<NameLookup*>(timer->data)->on_timeout(); },
      kQueryTimeoutMs, 0);
  auto* socket = new Socket;
  socket->lookup = this;
  socket->udp.data = socket;
  if (uv_udp_init_ex(loop_, &socket->udp, resolver.address.family == 6 ? AF_INET6 : AF_INET) != 0) {
    delete socket;
    return;  // the try's timeout moves on
  }
  ++open_handles_;
  socket_ = socket;
  int rc = uv_udp_connect(&socket->udp, reinterpret_cast<const sockaddr*>(&address));
  if (rc == 0) {
    rc = uv_udp_recv_start(
        &socket->udp,
        [](uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
          auto* s = static_cast<Socket*>(handle->data);
          *buf = uv_buf_init(s->buffer.data(), static_cast<unsigned>(s->buffer.size()));
        },
        [](uv_udp_t* udp, ssize_t nread, const uv_buf_t* buf, const sockaddr*, unsigned flags) {
          auto* s = static_cast<Socket*>(udp->data);
          if (nread <= 0 || (flags & UV_UDP_PARTIAL) != 0 || !s->active) return;
          s->lookup->on_reply(reinterpret_cast<const std::uint8_t*>(buf->base),
                              static_cast<std::size_t>(nread));
        });
  }
  if (rc == 0) {
    uv_buf_t buf =
        uv_buf_init(reinterpret_cast<char*>(query_.data()), static_cast<unsigned>(query_size_));
    const int sent = uv_udp_try_send(&socket->udp, &buf, 1, nullptr);
    if (sent < 0) rc = sent;
  }
  if (rc != 0) {
    // A local failure (no route, no socket): the try fails at once, without waiting out its
    // time, from the timer (so that done never runs inside start()).
    local_error_ =
        std::string("cannot send to ") + resolver_text(resolver) + ": " + uv_strerror(rc);
    close_socket();
    uv_timer_start(
        &timer_, [](uv_timer_t* timer) { static_cast<NameLookup*>(timer->data)->on_timeout(); }, 0,
        0);
  }
}

void NameLookup::send_tcp() noexcept {
  close_socket();
  over_tcp_ = true;
  const ResolverEndpoint& resolver = resolvers_[resolver_ % resolvers_.size()];
  uv_timer_start(
      &timer_, [](uv_timer_t* timer) { static_cast<NameLookup*>(timer->data)->on_timeout(); },
      kTcpQueryTimeoutMs, 0);
  sockaddr_storage address;
  if (!to_sockaddr(resolver.address, resolver.port, address)) return;  // the timeout moves on
  auto* stream = new (std::nothrow) Stream;
  if (stream == nullptr) return;
  stream->lookup = this;
  stream->tcp.data = stream;
  stream->connect.data = stream;
  stream->write.data = stream;
  if (uv_tcp_init(loop_, &stream->tcp) != 0) {
    delete stream;
    return;
  }
  ++open_handles_;
  stream_ = stream;
  stream->request[0] = static_cast<std::uint8_t>(query_size_ >> 8);
  stream->request[1] = static_cast<std::uint8_t>(query_size_ & 0xff);
  std::copy_n(query_.begin(), query_size_, stream->request.begin() + 2);
  const int rc = uv_tcp_connect(
      &stream->connect, &stream->tcp, reinterpret_cast<const sockaddr*>(&address),
      [](uv_connect_t* connect, int status) {
        auto* s = static_cast<Stream*>(connect->data);
        if (!s->active) return;
        NameLookup* lookup = s->lookup;
        if (status != 0) {
          lookup->local_error_ =
              "cannot connect over TCP to " +
              resolver_text(lookup->resolvers_[lookup->resolver_ % lookup->resolvers_.size()]) +
              ": " + uv_strerror(status);
          lookup->on_timeout();
          return;
        }
        uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(s->request.data()),
                                   static_cast<unsigned>(2 + lookup->query_size_));
        int result = uv_write(&s->write, reinterpret_cast<uv_stream_t*>(&s->tcp), &buf, 1,
                              [](uv_write_t*, int) {});
        if (result == 0) {
          result = uv_read_start(
              reinterpret_cast<uv_stream_t*>(&s->tcp),
              [](uv_handle_t* handle, std::size_t, uv_buf_t* out) {
                auto* st = static_cast<Stream*>(handle->data);
                *out = uv_buf_init(reinterpret_cast<char*>(st->buffer.data() + st->received),
                                   static_cast<unsigned>(st->buffer.size() - st->received));
              },
              [](uv_stream_t* tcp, ssize_t nread, const uv_buf_t*) {
                auto* st = static_cast<Stream*>(tcp->data);
                if (!st->active || nread == 0) return;
                st->lookup->on_tcp_data(*st, nread < 0 ? 0 : static_cast<std::size_t>(nread));
              });
        }
        if (result != 0) {
          lookup->local_error_ = std::string("cannot ask over TCP: ") + uv_strerror(result);
          lookup->on_timeout();
        }
      });
  if (rc != 0) {
    local_error_ = "cannot connect over TCP to " + resolver_text(resolver) + ": " + uv_strerror(rc);
    close_socket();
    uv_timer_start(
        &timer_, [](uv_timer_t* timer) { static_cast<NameLookup*>(timer->data)->on_timeout(); }, 0,
        0);
  }
}

void NameLookup::on_tcp_data(Stream& stream, std::size_t size) noexcept {
  const std::string from = resolver_text(resolvers_[resolver_ % resolvers_.size()]);
  if (size == 0) {  // the connection ended (or failed) before the whole reply
    local_error_ = "TCP connection closed by " + from + " before the whole reply";
    on_timeout();
    return;
  }
  stream.received += size;
  if (stream.received < 2) return;
  // The buffer holds the largest length the 2 octets can give: no reply overflows it.
  const std::size_t length = (std::size_t{stream.buffer[0]} << 8) | stream.buffer[1];
  if (stream.received < 2 + length) return;
  const std::uint16_t type = type_index_ == 0 ? kTypeA : kTypeAAAA;
  const Reply reply = parse_resolver_reply({stream.buffer.data() + 2, length}, id_, name_, type);
  if (reply.status == ReplyStatus::not_ours || reply.status == ReplyStatus::malformed ||
      reply.status == ReplyStatus::truncated) {
    // On a connection of its own nothing else can arrive: the try fails.
    retry(std::string(reply_status_text(reply.status)) + " over TCP from " + from);
    return;
  }
  on_answer(reply, from);
}

void NameLookup::on_reply(const std::uint8_t* data, std::size_t size) noexcept {
  const std::uint16_t type = type_index_ == 0 ? kTypeA : kTypeAAAA;
  const Reply reply = parse_resolver_reply({data, size}, id_, name_, type);
  const std::string from = resolver_text(resolvers_[resolver_ % resolvers_.size()]);
  switch (reply.status) {
    case ReplyStatus::not_ours:
    case ReplyStatus::malformed:
      return;  // keep waiting for the real reply until the try's time is up
    case ReplyStatus::truncated:
      send_tcp();  // the whole answer, from the same resolver
      return;
    default:
      on_answer(reply, from);
  }
}

void NameLookup::on_answer(const Reply& reply, const std::string& from) noexcept {
  const std::uint16_t type = type_index_ == 0 ? kTypeA : kTypeAAAA;
  switch (reply.status) {
    case ReplyStatus::nxdomain:
      finish(false, "NXDOMAIN from " + from);
      return;
    case ReplyStatus::failed:
      retry(rcode_text(reply.rcode) + " from " + from);
      return;
    case ReplyStatus::addresses:
    case ReplyStatus::nodata:
      break;
    default:  // the callers handle the others
      return;
  }
  result_.offered[type_index_] += reply.records;
  for (std::uint8_t i = 0; i < reply.count; ++i) {
    util::Address address;
    address.family = type == kTypeA ? 4 : 6;
    std::copy_n(reply.address[i].begin(), address.length(), address.bytes.begin());
    if (std::find(result_.addresses.begin(), result_.addresses.end(), address) ==
        result_.addresses.end()) {
      result_.addresses.push_back(address);
    }
  }
  if (reply.count > 0) ttl_ = std::min(ttl_, reply.ttl);
  next_type();
}

void NameLookup::on_timeout() noexcept {
  std::string why = std::move(local_error_);
  local_error_.clear();
  if (why.empty()) {
    why = "no reply" + std::string(over_tcp_ ? " over TCP" : "") + " within " +
          std::to_string(over_tcp_ ? kTcpQueryTimeoutMs : kQueryTimeoutMs) + " ms from " +
          resolver_text(resolvers_[resolver_ % resolvers_.size()]);
  }
  retry(std::move(why));
}

void NameLookup::retry(std::string why) noexcept {
  if (finished_) return;
  ++resolver_;
  if (++attempt_ >= kAttemptsPerType) {
    finish(false, std::move(why) + " (" + std::to_string(kAttemptsPerType) + " tries)");
    return;
  }
  send();
}

void NameLookup::next_type() noexcept {
  if (type_index_ == 1) {
    if (result_.addresses.empty()) {
      finish(false, "no A or AAAA record from " +
                        resolver_text(resolvers_[resolver_ % resolvers_.size()]));
    } else {
      finish(true, {});
    }
    return;
  }
  type_index_ = 1;
  attempt_ = 0;
  send();
}

void NameLookup::finish(bool ok, std::string error) noexcept {
  if (finished_) return;
  finished_ = true;
  uv_timer_stop(&timer_);
  close_socket();
  result_.ok = ok;
  result_.error = std::move(error);
  std::sort(result_.addresses.begin(), result_.addresses.end(), address_less);
  result_.ttl = ttl_ == 0xffffffffu ? 0 : ttl_;
  Done done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(result_));
  cancel();  // frees the lookup once its handles are closed
}

void NameLookup::cancel() noexcept {
  finished_ = true;
  done_ = nullptr;
  close_socket();
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&timer_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_),
             [](uv_handle_t* handle) { static_cast<NameLookup*>(handle->data)->handle_closed(); });
  }
}

void NameLookup::close_socket() noexcept {
  if (stream_ != nullptr) {
    Stream* stream = stream_;
    stream_ = nullptr;
    stream->active = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&stream->tcp), [](uv_handle_t* handle) {
      auto* s = static_cast<Stream*>(handle->data);
      NameLookup* lookup = s->lookup;
      delete s;
      lookup->handle_closed();
    });
  }
  if (socket_ == nullptr) return;
  Socket* socket = socket_;
  socket_ = nullptr;
  socket->active = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&socket->udp), [](uv_handle_t* handle) {
    auto* s = static_cast<Socket*>(handle->data);
    NameLookup* lookup = s->lookup;
    delete s;
    lookup->handle_closed();
  });
}

void NameLookup::handle_closed() noexcept {
  if (--open_handles_ == 0) delete this;
}

}  // namespace gslbd::probe
