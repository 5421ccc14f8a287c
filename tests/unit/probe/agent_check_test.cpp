// SPDX-License-Identifier: Apache-2.0
// The agent check end to end: a server replying as HAProxy's agent-check protocol says.
#include <doctest/doctest.h>

#include <mutex>

#include "loop_helpers.hpp"
#include "loopback_server.hpp"

using namespace gslbd::probe::test;
using gslbd::health::CheckType;
using gslbd::health::InitialState;
using gslbd::probe::HealthLoop;
using gslbd::probe::MemberStatus;

TEST_CASE("agent: weight, drain, down and up are reflected in the table") {
  std::mutex mu;
  std::string line = "75%\n";
  LoopbackServer server([&](const std::string&) -> std::optional<std::string> {
    std::lock_guard lock(mu);
    return line;
  });
  server.start();
  auto set = [&](std::string text) {
    std::lock_guard lock(mu);
    line = std::move(text);
  };
  auto agent = fast_check(CheckType::agent, server.port());
  auto p = plan(1, {member("agent", 0, {agent}, InitialState::wait)});
  auto table = p.table;
  HealthLoop loop(64, 6);
  loop.start();
  loop.adopt(std::move(p));

  REQUIRE(wait_until([&] { return table->read(0).up && table->read(0).agent_weight == 75; }));
  CHECK_FALSE(table->read(0).drained);

  set("drain\n");
  REQUIRE(wait_until([&] { return table->read(0).drained; }));
  CHECK(table->read(0).up);  // drained is still up
  set("30%\n");              // a weight alone keeps the drain
  REQUIRE(wait_until([&] { return table->read(0).agent_weight == 30; }));
  CHECK(table->read(0).drained);

  set("down\n");
  REQUIRE(wait_until([&] { return !table->read(0).up; }));
  CHECK(wait_status(loop, 0, [](const MemberStatus& s) {
    return s.last_error.find("agent reports down") != std::string::npos;
  }));

  set("up 100%\n");
  REQUIRE(wait_until([&] {
    const auto h = table->read(0);
    return h.up && !h.drained && h.agent_weight == 100;
  }));

  set("maint, 5%");  // no newline: the line ends at EOF
  REQUIRE(wait_until([&] {
    const auto h = table->read(0);
    return h.drained && h.agent_weight == 5;
  }));
  set("ready\n");
  REQUIRE(wait_until([&] { return !table->read(0).drained; }));

  server.stop();  // refused: failure
  REQUIRE(wait_until([&] { return !table->read(0).up; }));
  loop.stop();
}
