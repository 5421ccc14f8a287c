// SPDX-License-Identifier: Apache-2.0
#include "gslbd/server/listen_sockets.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gslbd::server {
namespace {

constexpr int kTcpBacklog = 1024;

socklen_t make_address(const runtime::ListenAddress& listen, sockaddr_storage& storage) {
  std::memset(&storage, 0, sizeof storage);
  if (listen.host.find(':') != std::string::npos) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(listen.port);
    inet_pton(AF_INET6, listen.host.c_str(), &sin6->sin6_addr);
    return sizeof(sockaddr_in6);
  }
  auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
  sin->sin_family = AF_INET;
  sin->sin_port = htons(listen.port);
  inet_pton(AF_INET, listen.host.c_str(), &sin->sin_addr);
  return sizeof(sockaddr_in);
}

int open_socket(const runtime::ListenAddress& listen, int type, std::string& error) {
  sockaddr_storage address;
  const socklen_t address_len = make_address(listen, address);
  const char* proto = type == SOCK_DGRAM ? "udp" : "tcp";
  const std::string where =
      std::string(proto) + " " +
      (address.ss_family == AF_INET6 ? "[" + listen.host + "]" : listen.host) + ":" +
      std::to_string(listen.port);
  const int fd = socket(address.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = "cannot create socket for " + where + ": " + std::strerror(errno);
    return -1;
  }
  const int on = 1;
  bool ok = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == 0 &&
            (type == SOCK_DGRAM || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0);
  if (ok && address.ss_family == AF_INET6) {
    ok = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == 0;
  }
  const bool wildcard =
      address.ss_family == AF_INET6
          ? IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr)
          : reinterpret_cast<const sockaddr_in*>(&address)->sin_addr.s_addr == htonl(INADDR_ANY);
  if (ok && type == SOCK_DGRAM && wildcard) {
    // Left to itself the kernel answers a wildcard socket's query from the address its route
    // prefers, which a client that asked another local address rejects. With these options each
    // query reports its destination, and the UDP receiver sends the answer from it.
    ok = address.ss_family == AF_INET6
             ? setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) == 0
             : setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) == 0;
  }
  if (ok) ok = bind(fd, reinterpret_cast<sockaddr*>(&address), address_len) == 0;
  if (ok && type == SOCK_STREAM) ok = ::listen(fd, kTcpBacklog) == 0;
  if (!ok) {
    error = "cannot listen on " + where + ": " + std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::vector<ShardSockets> open_listen_sockets(const std::vector<runtime::ListenAddress>& listen,
                                              unsigned workers, std::string& error) {
  std::vector<ShardSockets> sockets(workers);
  for (ShardSockets& worker : sockets) {
    for (const runtime::ListenAddress& address : listen) {
      const int udp = open_socket(address, SOCK_DGRAM, error);
      const int tcp = udp < 0 ? -1 : open_socket(address, SOCK_STREAM, error);
      if (udp >= 0) worker.udp.push_back(udp);
      if (tcp >= 0) worker.tcp.push_back(tcp);
      if (udp < 0 || tcp < 0) {
        close_sockets(sockets);
        return {};
      }
    }
  }
  return sockets;
}

std::string socket_text(const runtime::ListenAddress& listen, int type) {
  const bool v6 = listen.host.find(':') != std::string::npos;
  return std::string(type == SOCK_DGRAM ? "udp " : "tcp ") +
         (v6 ? "[" + listen.host + "]" : listen.host) + ":" + std::to_string(listen.port);
}

int probe_listen_address(const runtime::ListenAddress& listen, int& type, std::string& error) {
  sockaddr_storage address;
  const socklen_t address_len = make_address(listen, address);
  for (const int kind : {SOCK_DGRAM, SOCK_STREAM}) {
    type = kind;
    const int fd = socket(address.ss_family, kind | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      const int saved = errno;
      error = "cannot create socket for " + socket_text(listen, kind) + ": " + std::strerror(saved);
      return saved;
    }
    const int on = 1;
    bool ok = kind == SOCK_DGRAM || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0;
    if (ok && address.ss_family == AF_INET6) {
      ok = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == 0;
    }
    if (ok) ok = bind(fd, reinterpret_cast<sockaddr*>(&address), address_len) == 0;
    const int saved = errno;
    close(fd);
    if (!ok) {
      error = "cannot listen on " + socket_text(listen, kind) + ": " + std::strerror(saved);
      return saved;
    }
  }
  return 0;
}

void close_sockets(std::vector<ShardSockets>& sockets) noexcept {
  for (ShardSockets& worker : sockets) {
    for (int fd : worker.udp) close(fd);
    for (int fd : worker.tcp) close(fd);
    worker.udp.clear();
    worker.tcp.clear();
  }
}

}  // namespace gslbd::server
