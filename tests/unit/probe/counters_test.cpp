// SPDX-License-Identifier: Apache-2.0
// The loop's counters behind /metrics: probes by type and result, probe durations and members'
// up/down transitions, against a real loopback listener.
#include <doctest/doctest.h>

#include "loop_helpers.hpp"
#include "loopback_server.hpp"

using namespace gslbd::probe::test;
using gslbd::health::CheckType;
using gslbd::health::InitialState;
using gslbd::probe::HealthLoop;

TEST_CASE("counters: tcp probes by result, durations, and transitions both ways") {
  LoopbackServer server([](const std::string&) -> std::optional<std::string> { return ""; });
  server.start();
  auto check = fast_check(CheckType::tcp, server.port());
  auto p = plan(1, {member("m", 0, {check}, InitialState::down)});
  auto table = p.table;
  HealthLoop loop(16, 7);
  loop.start();
  loop.adopt(std::move(p));
  REQUIRE(wait_until([&] { return table->read(0).up; }));
  auto c = loop.counters();
  const auto tcp = static_cast<std::size_t>(CheckType::tcp);
  CHECK(c.by_type[tcp][0] >= check.rise);
  CHECK(c.became_up == 1);
  CHECK(c.became_down == 0);
  CHECK(c.duration_count >= 1);
  CHECK(c.by_type[static_cast<std::size_t>(CheckType::http)][0] == 0);

  server.stop();
  REQUIRE(wait_until([&] { return !table->read(0).up; }));
  c = loop.counters();
  CHECK(c.by_type[tcp][1] >= check.fall);
  CHECK(c.became_down == 1);
  std::uint64_t in_buckets = 0;
  for (auto n : c.duration_buckets) in_buckets += n;
  CHECK(in_buckets <= c.duration_count);
  CHECK(c.duration_count >= c.succeeded + c.failed);  // read later, so never fewer
  loop.stop();
}
