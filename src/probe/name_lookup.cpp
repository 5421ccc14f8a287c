// SPDX-License-Identifier: Apache-2.0
#include "name_lookup.hpp"

#include <sys/random.h>

#include <algorithm>
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

void NameLookup::on_reply(const std::uint8_t* data, std::size_t size) noexcept {
  const std::uint16_t type = type_index_ == 0 ? kTypeA : kTypeAAAA;
  const Reply reply = parse_resolver_reply({data, size}, id_, name_, type);
  const std::string from = resolver_text(resolvers_[resolver_ % resolvers_.size()]);
  switch (reply.status) {
    case ReplyStatus::not_ours:
    case ReplyStatus::malformed:
      return;  // keep waiting for the real reply until the try's time is up
    case ReplyStatus::nxdomain:
      finish(false, "NXDOMAIN from " + from);
      return;
    case ReplyStatus::failed:
      retry(rcode_text(reply.rcode) + " from " + from);
      return;
    case ReplyStatus::truncated:
      retry("truncated reply from " + from);
      return;
    case ReplyStatus::addresses:
    case ReplyStatus::nodata:
      break;
  }
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
    why = "no reply within " + std::to_string(kQueryTimeoutMs) + " ms from " +
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
