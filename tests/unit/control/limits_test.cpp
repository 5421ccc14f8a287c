// SPDX-License-Identifier: Apache-2.0
// Bounds of the endpoint over real sockets: request size, connection count, idle time, and
// garbage that must not crash it.
#include <doctest/doctest.h>

#include "control_test_support.hpp"

using namespace gslbd::control;
using namespace gslbd::control::test;

TEST_CASE("an oversized head gets 431, an oversized body 413") {
  gslbd::runtime::ControlConfig settings;
  settings.max_request_bytes = 1024;
  Fixture f(settings);
  const HttpReply head = http_raw(
      f.server->port(),
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  CHECK(head.status == 431);
  const HttpReply body =
      http(f.server->port(), "POST", "/admin/reload", "s3cret-token", std::string(1500, 'b'));
  CHECK(body.status == 413);
  CHECK(http(f.server->port(), "GET", "/healthz").status == 200);  // still serving
}

TEST_CASE("malformed requests get 400 and the server keeps serving") {
  Fixture f;
  const std::string garbage[] = {
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS hello, roughly
      std::string("\0\0\0\0", 4),
      "GET\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\n\tfold\r\n\r\n",
      "POST /admin/reload HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n",
      "GET / HTTP/1.1\nHost: x\n\n",
  };
  for (const std::string& text : garbage) {
    CAPTURE(text);
    CHECK(http_raw(f.server->port(), text).status == 400);
  }
  CHECK(http(f.server->port(), "GET", "/healthz").status == 200);
}

TEST_CASE("a full endpoint closes the least recently heard waiting connection for a new one") {
  gslbd::runtime::ControlConfig settings;
  settings.max_connections = 2;
  Fixture f(settings);
  // Two connections hold both slots, each with part of a request; the first was heard from
  // longest ago.
  const int first = connect_loopback(f.server->port(), "127.0.0.3");
  send_all(first, "GET /healthz HTTP/1.1\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int second = connect_loopback(f.server->port(), "127.0.0.4");
  send_all(second, "GET /healthz HTTP/1.1\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // A probe with its whole request gets in and is answered...
  CHECK(http(f.server->port(), "GET", "/healthz").status == 200);
  // ...and the first waiting connection was closed without a response to make room.
  CHECK(read_all(first, 5000).empty());
  ::close(first);
  // The second still has its slot and is answered when its request is whole.
  send_all(second, "Host: 127.0.0.1\r\n\r\n");
  CHECK(parse_reply(read_all(second)).status == 200);
  ::close(second);
  const std::string text = http(f.server->port(), "GET", "/metrics").body;
  const auto evicted = metric(text, R"(gslbd_control_evictions_total{bound="total"})");
  REQUIRE(evicted);
  CHECK(std::stoi(*evicted) >= 1);
}

TEST_CASE("a source at max_connections_per_source makes room among its own connections only") {
  gslbd::runtime::ControlConfig settings;
  settings.max_connections_per_source = 2;
  Fixture f(settings);
  const int other = connect_loopback(f.server->port(), "127.0.0.5");
  send_all(other, "GET /healthz HTTP/1.1\r\n");
  std::vector<int> slow;
  for (int i = 0; i < 5; ++i) {
    slow.push_back(connect_loopback(f.server->port(), "127.0.0.6"));
    send_all(slow.back(), "GET /healthz HTTP/1.1\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  // The three oldest of 127.0.0.6 were closed, the newest two and the other source kept.
  for (std::size_t i = 0; i < 3; ++i) CHECK(read_all(slow[i], 3000).empty());
  for (int fd : {slow[3], slow[4], other}) {
    send_all(fd, "Host: 127.0.0.1\r\n\r\n");
    CHECK(parse_reply(read_all(fd)).status == 200);
  }
  for (int fd : slow) ::close(fd);
  ::close(other);
  const std::string text = http(f.server->port(), "GET", "/metrics").body;
  CHECK(metric(text, R"(gslbd_control_evictions_total{bound="per_source"})") == "3");
  CHECK(metric(text, R"(gslbd_control_evictions_total{bound="total"})") == "0");
}

TEST_CASE("request_timeout bounds the whole request: trickling octets does not extend it") {
  gslbd::runtime::ControlConfig settings;
  settings.idle_timeout_ms = 10'000;
  settings.request_timeout_ms = 400;
  Fixture f(settings);
  const int fd = connect_loopback(f.server->port());
  const auto start = std::chrono::steady_clock::now();
  send_all(fd, "GET /healthz HTTP/1.1\r\nX-Slow: ");
  std::string reply;
  // One octet every 50 ms, far inside idle_timeout, until the server answers (bounded).
  for (int i = 0; i < 100 && reply.empty(); ++i) {
    send_all(fd, "a");
    reply = read_all(fd, 50);
  }
  reply += read_all(fd, 2000);
  const auto took = std::chrono::steady_clock::now() - start;
  const HttpReply parsed = parse_reply(reply);
  CHECK(parsed.status == 408);
  CHECK(parsed.body.find("request timeout") != std::string::npos);
  // The server's timer counts from its loop's cached clock (whole milliseconds, read when the
  // loop woke), which can lag this thread's clock by a few milliseconds: a timer armed 400 ms
  // "after" the first octet may fire a little before 400 ms of this clock have passed.
  CHECK(took >= std::chrono::milliseconds(390));
  CHECK(took < std::chrono::milliseconds(4000));
  ::close(fd);
  const std::string text = http(f.server->port(), "GET", "/metrics").body;
  CHECK(metric(text, "gslbd_control_request_timeouts_total") == "1");
}

TEST_CASE("a request not complete within the idle timeout gets 408, a silent one is closed") {
  gslbd::runtime::ControlConfig settings;
  settings.idle_timeout_ms = 200;
  Fixture f(settings);
  const int partial = connect_loopback(f.server->port());
  send_all(partial, "GET /healthz HTTP/1.1\r\n");
  const auto start = std::chrono::steady_clock::now();
  CHECK(parse_reply(read_all(partial, 5000)).status == 408);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(4000));
  ::close(partial);
  const int silent = connect_loopback(f.server->port());
  CHECK(read_all(silent, 5000).empty());  // closed (EOF) without a response
  ::close(silent);
}
