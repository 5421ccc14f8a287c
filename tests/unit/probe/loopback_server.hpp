// SPDX-License-Identifier: Apache-2.0
// A tiny TCP server on 127.0.0.1 for the probe tests: one thread polling plain POSIX sockets,
// replying through a test-supplied function. Bounded: at most kMaxConnections open at once
// (more are closed at accept), at most 64 KiB kept per connection.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace gslbd::probe::test {

class LoopbackServer {
 public:
  // Called on the server thread at accept (with "") and whenever bytes arrive, with everything
  // the connection sent so far. A reply is written and the connection closed; nullopt waits.
  using Responder = std::function<std::optional<std::string>(const std::string& received)>;

  static constexpr int kMaxConnections = 64;

  explicit LoopbackServer(Responder responder);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // Listens (on a port the kernel picks the first time, the same port afterwards).
  void start();
  // Closes the listener and every connection: connects are refused afterwards.
  void stop();

  std::uint16_t port() const noexcept { return port_; }
  void set_responder(Responder responder);
  int accepted() const noexcept { return accepted_.load(); }
  int max_open() const noexcept { return max_open_.load(); }
  std::string last_request() const;

 private:
  void run(int listener);

  Responder responder_;
  mutable std::mutex mu_;  // guards responder_ and last_request_
  std::string last_request_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> max_open_{0};
};

// A responder for HTTP/1.1 requests: waits for the end of the headers, answers with `status`
// and `body`, and closes.
std::string http_response(int status, const std::string& body);
LoopbackServer::Responder http_responder(std::function<std::pair<int, std::string>()> reply);

}  // namespace gslbd::probe::test
