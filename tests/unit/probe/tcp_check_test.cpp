// SPDX-License-Identifier: Apache-2.0
// The tcp check end to end against real listeners on loopback.
#include <doctest/doctest.h>

#include "loop_helpers.hpp"
#include "loopback_server.hpp"

using namespace gslbd::probe::test;
using gslbd::health::CheckType;
using gslbd::health::InitialState;
using gslbd::probe::HealthLoop;

TEST_CASE("tcp: up after rise, down within interval x fall when the listener goes, back after") {
  LoopbackServer server([](const std::string&) { return std::string(); });  // accept and close
  server.start();
  auto p = plan(1, {member("pool/a/127.0.0.1/t", 0, {fast_check(CheckType::tcp, server.port())})});
  auto table = p.table;
  HealthLoop loop(64, 1);
  loop.start();
  loop.adopt(std::move(p));
  loop.wait_adopted();
  CHECK_FALSE(table->read(0).up);
  CHECK_FALSE(table->read(0).known);

  REQUIRE(wait_until([&] { return table->read(0).up; }));
  CHECK(table->read(0).known);
  CHECK(table->read(0).rtt_us > 0);
  CHECK(loop.first_round_done());

  server.stop();
  auto start = std::chrono::steady_clock::now();
  REQUIRE(wait_until([&] { return !table->read(0).up; }));
  const long long down_ms = ms_since(start);
  MESSAGE("went down " << down_ms << " ms after the listener closed (interval 100, fall 2)");
  CHECK(down_ms < 100 * 2 * 11 / 10 + 1500);  // interval x fall (+ jitter) + slack
  const auto status = loop.status();
  REQUIRE(status.size() == 1);
  CHECK_FALSE(status[0].up);
  CHECK(status[0].last_error.find("connect") != std::string::npos);

  server.start();  // same port
  start = std::chrono::steady_clock::now();
  REQUIRE(wait_until([&] { return table->read(0).up; }));
  MESSAGE("back up " << ms_since(start) << " ms after the listener returned (rise 2)");
  loop.stop();
}

TEST_CASE("tcp: banner send and expect") {
  LoopbackServer server([](const std::string& received) -> std::optional<std::string> {
    if (received.find("PING\n") == std::string::npos) return std::nullopt;
    return std::string("+PONG ready\r\n");
  });
  server.start();
  auto good = fast_check(CheckType::tcp, server.port());
  good.send = "PING\n";
  good.expect = "PONG";
  auto bad = good;
  bad.expect = "NOPE";
  auto silent = fast_check(CheckType::tcp, server.port());
  silent.expect = "PONG";  // sends nothing: the server never answers
  auto p = plan(3, {member("good", 0, {good}), member("bad", 1, {bad}, InitialState::up),
                    member("silent", 2, {silent}, InitialState::up)});
  auto table = p.table;
  HealthLoop loop(64, 2);
  loop.start();
  loop.adopt(std::move(p));
  REQUIRE(
      wait_until([&] { return table->read(0).up && !table->read(1).up && !table->read(2).up; }));
  CHECK(server.last_request().find("PING\n") != std::string::npos);
  const auto status = loop.status();
  REQUIRE(status.size() == 3);
  CHECK(status[1].last_error.find("closed before the expected reply") != std::string::npos);
  CHECK(status[2].last_error.find("timeout") != std::string::npos);
  loop.stop();
}

TEST_CASE("tcp: nobody listening is a failure and the member stays down") {
  LoopbackServer server([](const std::string&) { return std::string(); });
  server.start();
  const auto port = server.port();
  server.stop();
  auto p = plan(1, {member("closed", 0, {fast_check(CheckType::tcp, port)}, InitialState::wait)});
  auto table = p.table;
  HealthLoop loop(64, 3);
  loop.start();
  loop.adopt(std::move(p));
  REQUIRE(wait_until([&] { return table->read(0).known; }));
  CHECK_FALSE(table->read(0).up);
  CHECK(table->read(0).rtt_us == 0);
  loop.stop();
}
