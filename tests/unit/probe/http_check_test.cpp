// SPDX-License-Identifier: Apache-2.0
// The http check end to end against a tiny HTTP server started by the test.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>

#include "loop_helpers.hpp"
#include "loopback_server.hpp"

using namespace gslbd::probe::test;
using gslbd::health::CheckType;
using gslbd::health::InitialState;
using gslbd::probe::HealthLoop;
using gslbd::probe::MemberStatus;

TEST_CASE("http: status list and body substring decide, the request carries method/path/headers") {
  std::atomic<int> status{200};
  LoopbackServer server(http_responder([&] {
    return std::pair<int, std::string>{status.load(), "service is healthy\n"};
  }));
  server.start();
  auto plain = fast_check(CheckType::http, server.port());
  plain.path = "/health";
  plain.host = "svc.example";
  plain.headers = {{"X-Check", "gslbd"}};
  auto body = plain;
  body.expect_body = "healthy";
  auto wrong_body = plain;
  wrong_body.expect_body = "sick";
  auto wants_503 = plain;
  wants_503.expect_status = {500, 503};
  auto head = plain;
  head.method = "HEAD";
  auto p =
      plan(5, {member("plain", 0, {plain}), member("body", 1, {body}),
               member("wrong_body", 2, {wrong_body}, InitialState::up),
               member("wants_503", 3, {wants_503}, InitialState::up), member("head", 4, {head})});
  auto table = p.table;
  HealthLoop loop(64, 4);
  loop.start();
  loop.adopt(std::move(p));
  REQUIRE(wait_until([&] {
    return table->read(0).up && table->read(1).up && !table->read(2).up && !table->read(3).up &&
           table->read(4).up;
  }));
  const std::string request = server.last_request();
  CHECK(request.find(" /health HTTP/1.1\r\n") != std::string::npos);
  CHECK(request.find("\r\nHost: svc.example\r\n") != std::string::npos);
  CHECK(request.find("\r\nX-Check: gslbd\r\n") != std::string::npos);
  const auto states = loop.status();
  REQUIRE(states.size() == 5);
  CHECK(states[2].last_error.find("body does not contain") != std::string::npos);
  CHECK(states[3].last_error.find("HTTP status 200") != std::string::npos);
  CHECK(table->read(1).rtt_us > 0);

  status = 503;
  REQUIRE(
      wait_until([&] { return !table->read(0).up && !table->read(1).up && table->read(3).up; }));
  CHECK(wait_status(loop, 0, [](const MemberStatus& s) {
    return s.last_error.find("HTTP status 503") != std::string::npos;
  }));
  status = 200;
  REQUIRE(wait_until([&] { return table->read(0).up && table->read(1).up; }));
  loop.stop();
}

TEST_CASE("http: refused, silent and oversized answers fail") {
  LoopbackServer silent([](const std::string&) { return std::nullopt; });
  silent.start();
  LoopbackServer gone([](const std::string&) { return std::string(); });
  gone.start();
  const auto gone_port = gone.port();
  gone.stop();
  LoopbackServer huge(http_responder([] {
    return std::pair<int, std::string>{200, std::string(200 * 1024, 'x') + "needle"};
  }));
  huge.start();
  auto needle = fast_check(CheckType::http, huge.port());
  needle.expect_body = "needle";                        // beyond the 64 KiB kept
  auto any = fast_check(CheckType::http, huge.port());  // no body check: the status suffices
  auto p =
      plan(4, {member("silent", 0, {fast_check(CheckType::http, silent.port())}, InitialState::up),
               member("refused", 1, {fast_check(CheckType::http, gone_port)}, InitialState::up),
               member("needle", 2, {needle}, InitialState::up), member("any", 3, {any})});
  auto table = p.table;
  HealthLoop loop(64, 5);
  loop.start();
  loop.adopt(std::move(p));
  REQUIRE(wait_until([&] {
    return !table->read(0).up && !table->read(1).up && !table->read(2).up && table->read(3).up;
  }));
  const auto states = loop.status();
  MESSAGE("silent: " << states[0].last_error);
  MESSAGE("refused: " << states[1].last_error);
  CHECK_FALSE(states[0].last_error.empty());
  CHECK_FALSE(states[1].last_error.empty());
  loop.stop();
}
