// SPDX-License-Identifier: Apache-2.0
#include "icmp_probe.hpp"

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "sockaddr.hpp"

namespace gslbd::probe {

class IcmpProbe final : public Probe {
 public:
  IcmpProbe(uv_loop_t* loop, IcmpDriver& driver, const health::CheckSpec& spec,
            const util::Address& target, ProbeDone done)
      : Probe(loop, spec.timeout_ms, std::move(done)), driver_(driver), target_(target) {}

  void start() noexcept {
    arm_timeout();
    std::string error = driver_.send(this, target_, sequence_);
    if (!error.empty()) {
      fail_soon(std::move(error));
      return;
    }
    registered_ = true;
  }

  const util::Address& target() const noexcept { return target_; }

  void on_reply() noexcept {
    registered_ = false;  // the driver dropped it
    ProbeResult result;
    result.ok = true;
    finish(std::move(result));
  }

 private:
  void release() noexcept override {
    if (registered_) driver_.forget(sequence_);
    registered_ = false;
  }

  IcmpDriver& driver_;
  util::Address target_;
  std::uint16_t sequence_ = 0;
  bool registered_ = false;
};

namespace {

constexpr std::size_t kEchoSize = 8 + 16;  // ICMP header and a small payload
constexpr int kRepliesPerWakeup = 64;      // bounded work per readiness event

std::uint16_t checksum(const std::uint8_t* data, std::size_t length) noexcept {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < length; i += 2) sum += std::uint32_t{data[i]} << 8 | data[i + 1];
  if (length % 2 != 0) sum += std::uint32_t{data[length - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

}  // namespace

IcmpDriver::IcmpDriver(uv_loop_t* loop, std::uint16_t identifier)
    : loop_(loop), identifier_(identifier) {
  v4_.driver = this;
  v4_.family = AF_INET;
  v6_.driver = this;
  v6_.family = AF_INET6;
}

IcmpDriver::~IcmpDriver() {
  for (Socket* s : {&v4_, &v6_}) {
    if (!s->polling && s->fd >= 0) ::close(s->fd);
  }
}

IcmpDriver::Socket* IcmpDriver::socket_for(std::uint8_t family) {
  Socket& s = family == 4 ? v4_ : v6_;
  if (s.tried) return s.fd >= 0 ? &s : nullptr;
  s.tried = true;
  const int protocol = family == 4 ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
  s.fd = ::socket(s.family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (s.fd < 0) {
    const int err = errno;
    s.error = (err == EPERM || err == EACCES) ? "icmp check needs CAP_NET_RAW"
                                              : std::string("icmp socket: ") + std::strerror(err);
    spdlog::error("health: {}", s.error);  // once per loop and family
    return nullptr;
  }
  // Only echo replies wake us up (the kernel filters the rest).
  if (family == 4) {
    icmp_filter filter{};
    filter.data = ~(1u << ICMP_ECHOREPLY);
    setsockopt(s.fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
  } else {
    icmp6_filter filter{};
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    setsockopt(s.fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
  }
  if (uv_poll_init_socket(loop_, &s.poll, s.fd) != 0) {
    ::close(s.fd);
    s.fd = -1;
    s.error = "icmp socket: libuv refused it";
    return nullptr;
  }
  s.poll.data = &s;
  s.polling = true;
  uv_poll_start(&s.poll, UV_READABLE, [](uv_poll_t* poll, int status, int) {
    auto* socket = static_cast<Socket*>(poll->data);
    if (status == 0) socket->driver->on_readable(*socket);
  });
  return &s;
}

std::string IcmpDriver::send(IcmpProbe* probe, const util::Address& target,
                             std::uint16_t& sequence) {
  if (target.family != 4 && target.family != 6) return "no target address";
  Socket* s = socket_for(target.family);
  if (s == nullptr) return (target.family == 4 ? v4_ : v6_).error;
  if (pending_.size() >= 0xffff) return "too many icmp probes in flight";
  do {
    sequence = next_sequence_++;
  } while (pending_.count(sequence) != 0);

  std::uint8_t packet[kEchoSize] = {};
  packet[0] = target.family == 4 ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
  packet[4] = static_cast<std::uint8_t>(identifier_ >> 8);
  packet[5] = static_cast<std::uint8_t>(identifier_ & 0xff);
  packet[6] = static_cast<std::uint8_t>(sequence >> 8);
  packet[7] = static_cast<std::uint8_t>(sequence & 0xff);
  std::memcpy(packet + 8, "gslbd-health-chk", 16);
  if (target.family == 4) {  // the kernel computes ICMPv6 checksums itself
    const std::uint16_t sum = checksum(packet, sizeof packet);
    packet[2] = static_cast<std::uint8_t>(sum >> 8);
    packet[3] = static_cast<std::uint8_t>(sum & 0xff);
  }
  sockaddr_storage address;
  to_sockaddr(target, 0, address);
  const socklen_t length = target.family == 4 ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  if (::sendto(s->fd, packet, sizeof packet, 0, reinterpret_cast<const sockaddr*>(&address),
               length) < 0) {
    return std::string("icmp send: ") + std::strerror(errno);
  }
  pending_.emplace(sequence, probe);
  return {};
}

void IcmpDriver::forget(std::uint16_t sequence) noexcept {
  pending_.erase(sequence);
}

void IcmpDriver::on_readable(Socket& socket) noexcept {
  for (int i = 0; i < kRepliesPerWakeup; ++i) {
    std::uint8_t packet[1500];
    sockaddr_storage from{};
    socklen_t from_length = sizeof from;
    const ssize_t n = ::recvfrom(socket.fd, packet, sizeof packet, 0,
                                 reinterpret_cast<sockaddr*>(&from), &from_length);
    if (n < 0) return;  // EAGAIN (or an error the next send will report)
    auto length = static_cast<std::size_t>(n);
    const std::uint8_t* icmp = packet;
    util::Address source;
    if (socket.family == AF_INET) {
      // IPv4 raw sockets deliver the IP header too.
      if (length < 20) continue;
      const std::size_t header = std::size_t{packet[0] & 0x0fu} * 4;
      if (header < 20 || length < header + 8) continue;
      icmp = packet + header;
      length -= header;
      if (icmp[0] != ICMP_ECHOREPLY) continue;
      source.family = 4;
      std::memcpy(source.bytes.data(), packet + 12, 4);  // the IP source address
    } else {
      if (length < 8 || icmp[0] != ICMP6_ECHO_REPLY || from.ss_family != AF_INET6) continue;
      sockaddr_in6 in6;
      std::memcpy(&in6, &from, sizeof in6);
      source.family = 6;
      std::memcpy(source.bytes.data(), &in6.sin6_addr, 16);
    }
    const auto identifier = static_cast<std::uint16_t>(icmp[4] << 8 | icmp[5]);
    const auto sequence = static_cast<std::uint16_t>(icmp[6] << 8 | icmp[7]);
    if (identifier != identifier_) continue;
    const auto it = pending_.find(sequence);
    if (it == pending_.end() || !(it->second->target() == source)) continue;
    IcmpProbe* probe = it->second;
    pending_.erase(it);
    probe->on_reply();
  }
}

void IcmpDriver::close() noexcept {
  for (Socket* s : {&v4_, &v6_}) {
    if (!s->polling) continue;
    s->polling = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&s->poll), [](uv_handle_t* handle) {
      auto* socket = static_cast<Socket*>(handle->data);
      ::close(socket->fd);
      socket->fd = -1;
    });
  }
}

Probe* start_icmp_check(uv_loop_t* loop, IcmpDriver& driver, const health::CheckSpec& spec,
                        const util::Address& target, ProbeDone done) {
  auto* probe = new IcmpProbe(loop, driver, spec, target, std::move(done));
  probe->start();
  return probe;
}

}  // namespace gslbd::probe
