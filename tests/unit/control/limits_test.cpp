// Bounds of the endpoint over real sockets: request size, connection count, idle time, and
// garbage that must not crash it.
#include <doctest/doctest.h>

#include "control_test_support.hpp"

using namespace gslbd::control;
using namespace gslbd::control::test;

TEST_CASE("an oversized head gets 431, an oversized body 413") {
  ControlSettings settings;
  settings.max_request_bytes = 1024;
  Fixture f(settings);
  const HttpReply head =
      http_raw(f.server->port(),
               "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
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

TEST_CASE("connections past max_connections are closed at once") {
  ControlSettings settings;
  settings.max_connections = 2;
  Fixture f(settings);
  // Two idle connections hold both slots (each sent part of a request).
  const int first = connect_loopback(f.server->port());
  const int second = connect_loopback(f.server->port());
  send_all(first, "GET /healthz HTTP/1.1\r\n");
  send_all(second, "GET /healthz HTTP/1.1\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const HttpReply third = http(f.server->port(), "GET", "/healthz");
  CHECK(third.status == 0);  // closed without a response
  CHECK(third.raw.empty());
  // Finishing the first request frees a slot.
  send_all(first, "Host: x\r\n\r\n");
  CHECK(parse_reply(read_all(first)).status == 200);
  ::close(first);
  CHECK(wait_until([&] { return http(f.server->port(), "GET", "/healthz").status == 200; }));
  ::close(second);
  const std::string text = http(f.server->port(), "GET", "/metrics").body;
  const auto rejected = metric(text, R"(gslbd_control_connections_total{result="rejected"})");
  REQUIRE(rejected);
  CHECK(std::stoi(*rejected) >= 1);
}

TEST_CASE("a request not complete within the idle timeout gets 408; a silent one is closed") {
  ControlSettings settings;
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
