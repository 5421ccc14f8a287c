// SPDX-License-Identifier: Apache-2.0
#include "http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gslbctl {
namespace {

constexpr std::size_t kMaxReply = 64 * 1024 * 1024;

std::string lower_first(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] + 32);
  return text;
}

std::string why(int err) {
  return lower_first(std::strerror(err));
}

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Closes the descriptor on every path.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string Endpoint::text() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool parse_endpoint(std::string_view text, Endpoint& out, std::string& error) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find("]:");
    if (close == std::string_view::npos) {
      error = "expected [ADDRESS]:PORT, got '" + std::string(text) + "'";
      return false;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      error = "expected ADDRESS:PORT, got '" + std::string(text) + "'";
      return false;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  for (const char c : port) {
    if (c < '0' || c > '9' || value > 65535) {
      value = 70000;
      break;
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (port.empty() || value == 0 || value > 65535) {
    error = "bad port in '" + std::string(text) + "'";
    return false;
  }
  unsigned char probe[16];
  const std::string host_text(host);
  if (inet_pton(AF_INET, host_text.c_str(), probe) != 1 &&
      inet_pton(AF_INET6, host_text.c_str(), probe) != 1) {
    error = "not a numeric address: '" + host_text + "'";
    return false;
  }
  out.host = host_text;
  out.port = value;
  return true;
}

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

HttpResult http_request(const Endpoint& endpoint, std::string_view method, std::string_view target,
                        const std::string& token, std::chrono::milliseconds timeout) {
  HttpResult result;
  const std::string where = "cannot reach gslbd at " + endpoint.text() + ": ";
  const auto deadline = std::chrono::steady_clock::now() + timeout;

  sockaddr_storage address{};
  socklen_t length = 0;
  if (endpoint.host.find(':') != std::string::npos) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<std::uint16_t>(endpoint.port));
    inet_pton(AF_INET6, endpoint.host.c_str(), &in6->sin6_addr);
    length = sizeof *in6;
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&address);
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<std::uint16_t>(endpoint.port));
    inet_pton(AF_INET, endpoint.host.c_str(), &in->sin_addr);
    length = sizeof *in;
  }
  Fd sock{::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (sock.fd < 0) {
    result.error = where + why(errno);
    return result;
  }
  if (::connect(sock.fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    if (errno != EINPROGRESS) {
      result.error = where + why(errno);
      return result;
    }
    pollfd p{sock.fd, POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) {
      result.error = where + "connection timed out";
      return result;
    }
    int err = 0;
    socklen_t err_length = sizeof err;
    getsockopt(sock.fd, SOL_SOCKET, SO_ERROR, &err, &err_length);
    if (err != 0) {
      result.error = where + why(err);
      return result;
    }
  }

  std::string request = std::string(method) + " " + std::string(target) +
                        " HTTP/1.1\r\nHost: " + endpoint.text() +
                        "\r\nUser-Agent: gslbctl\r\nConnection: close\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  if (method == "POST") request += "Content-Length: 0\r\n";
  request += "\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    pollfd p{sock.fd, POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) {
      result.error = "gslbd at " + endpoint.text() + " did not take the request in time";
      return result;
    }
    const ssize_t n = ::send(sock.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      result.error = "lost the connection to gslbd at " + endpoint.text() + ": " + why(errno);
      return result;
    }
    if (n > 0) sent += static_cast<std::size_t>(n);
  }

  std::string reply;
  char buf[16384];
  for (;;) {
    pollfd p{sock.fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready <= 0) {
      result.error = "gslbd at " + endpoint.text() + " did not answer within " +
                     std::to_string(timeout.count() / 1000) + " s";
      return result;
    }
    const ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      result.error = "lost the connection to gslbd at " + endpoint.text() + ": " + why(errno);
      return result;
    }
    reply.append(buf, static_cast<std::size_t>(n));
    if (reply.size() > kMaxReply) {
      result.error = "the reply from gslbd is larger than 64 MiB";
      return result;
    }
  }
  const std::size_t end = reply.find("\r\n\r\n");
  if (reply.rfind("HTTP/1.", 0) != 0 || reply.size() < 12 || end == std::string::npos) {
    result.error = reply.empty()
                       ? "gslbd at " + endpoint.text() + " closed the connection without a reply"
                       : "not an HTTP reply from " + endpoint.text();
    return result;
  }
  result.status = std::atoi(reply.substr(9, 3).c_str());
  result.body = reply.substr(end + 4);
  result.ok = true;
  return result;
}

}  // namespace gslbctl
