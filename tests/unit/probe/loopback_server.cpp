// SPDX-License-Identifier: Apache-2.0
#include "loopback_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

namespace gslbd::probe::test {
namespace {

constexpr std::size_t kMaxKept = 64 * 1024;

struct Connection {
  int fd;
  std::string received;
};

void send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace

LoopbackServer::LoopbackServer(Responder responder) : responder_(std::move(responder)) {}

LoopbackServer::~LoopbackServer() {
  stop();
}

void LoopbackServer::set_responder(Responder responder) {
  std::lock_guard lock(mu_);
  responder_ = std::move(responder);
}

std::string LoopbackServer::last_request() const {
  std::lock_guard lock(mu_);
  return last_request_;
}

void LoopbackServer::start() {
  if (thread_.joinable()) return;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("test server: socket");
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port_);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 128) != 0) {
    ::close(fd);
    throw std::runtime_error(std::string("test server: bind/listen: ") + std::strerror(errno));
  }
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  stopping_ = false;
  thread_ = std::thread([this, fd] { run(fd); });
}

void LoopbackServer::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  thread_.join();
}

void LoopbackServer::run(int listener) {
  std::vector<Connection> connections;
  auto reply_to = [this](Connection& c) {
    std::optional<std::string> reply;
    {
      std::lock_guard lock(mu_);
      reply = responder_(c.received);
      if (!c.received.empty()) last_request_ = c.received;
    }
    if (!reply) return false;
    send_all(c.fd, *reply);
    return true;
  };
  while (!stopping_) {
    std::vector<pollfd> fds;
    fds.push_back({listener, POLLIN, 0});
    for (const Connection& c : connections) fds.push_back({c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 10) <= 0) continue;
    std::vector<Connection> kept;
    for (std::size_t i = 0; i < connections.size(); ++i) {
      Connection& c = connections[i];
      bool done = false;
      if (fds[i + 1].revents != 0) {
        char buffer[4096];
        const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
          done = true;
        } else {
          if (c.received.size() < kMaxKept) c.received.append(buffer, static_cast<std::size_t>(n));
          done = reply_to(c);
        }
      }
      if (done) {
        ::close(c.fd);
      } else {
        kept.push_back(std::move(c));
      }
    }
    connections = std::move(kept);
    if (fds[0].revents & POLLIN) {
      const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        ++accepted_;
        if (connections.size() >= kMaxConnections) {
          ::close(fd);
        } else {
          Connection c{fd, {}};
          if (reply_to(c)) {
            ::close(fd);
          } else {
            connections.push_back(std::move(c));
            const int open = static_cast<int>(connections.size());
            if (open > max_open_) max_open_ = open;
          }
        }
      }
    }
  }
  for (const Connection& c : connections) ::close(c.fd);
  ::close(listener);
}

std::string http_response(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Other") +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

LoopbackServer::Responder http_responder(std::function<std::pair<int, std::string>()> reply) {
  return [reply = std::move(reply)](const std::string& received) -> std::optional<std::string> {
    if (received.find("\r\n\r\n") == std::string::npos) return std::nullopt;
    const auto [status, body] = reply();
    return http_response(status, body);
  };
}

}  // namespace gslbd::probe::test
