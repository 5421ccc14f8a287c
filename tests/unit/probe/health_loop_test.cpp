// SPDX-License-Identifier: Apache-2.0
// The health loop itself: one probe in flight per check, the global bound, adopt() keeping
// state by key, admin messages, members without checks, and a prompt stop.
#include <doctest/doctest.h>

#include "loop_helpers.hpp"
#include "loopback_server.hpp"

using namespace gslbd::probe::test;
using gslbd::health::CheckType;
using gslbd::health::InitialState;
using gslbd::probe::HealthLoop;

namespace {

LoopbackServer::Responder never_answer() {
  return [](const std::string&) { return std::nullopt; };
}

}  // namespace

TEST_CASE("one probe in flight per check: a slow target is not piled up on") {
  LoopbackServer server(never_answer());
  server.start();
  auto slow = fast_check(CheckType::tcp, server.port());
  slow.expect = "never";
  slow.interval_ms = 100;
  slow.timeout_ms = 450;  // longer than the interval on purpose
  slow.jitter_percent = 0;
  auto p = plan(1, {member("slow", 0, {slow})});
  HealthLoop loop(64, 7);
  loop.start();
  loop.adopt(std::move(p));
  REQUIRE(wait_until([&] { return server.accepted() >= 1; }));
  const auto start = std::chrono::steady_clock::now();
  const int before = server.accepted();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const int during = server.accepted() - before;
  MESSAGE(during << " connections in " << ms_since(start)
                 << " ms (interval 100 ms, each probe held 450 ms)");
  CHECK(during <= 3);  // ten ticks, but each probe holds its slot for ~5 of them
  CHECK(server.max_open() == 1);
  CHECK(loop.counters().skipped_busy >= 4);
  loop.stop();
}

TEST_CASE("the global bound on probes in flight makes probes wait for a slot") {
  LoopbackServer server(never_answer());
  server.start();
  auto slow = fast_check(CheckType::tcp, server.port());
  slow.expect = "never";
  slow.interval_ms = 100;
  slow.timeout_ms = 90;
  std::vector<gslbd::probe::MonitoredMember> members;
  for (std::uint32_t i = 0; i < 8; ++i)
    members.push_back(member("m" + std::to_string(i), i, {slow}));
  HealthLoop loop(2, 8);
  loop.start();
  loop.adopt(plan(8, std::move(members)));
  REQUIRE(wait_until([&] { return server.accepted() >= 12; }));
  CHECK(server.max_open() <= 2);
  CHECK(loop.counters().waited_for_slot > 0);
  CHECK(loop.counters().in_flight <= 2);
  loop.stop();
}

TEST_CASE("adopt keeps the state of unchanged keys, starts new ones, drops removed ones") {
  LoopbackServer server([](const std::string&) { return std::string(); });
  server.start();
  const auto check = fast_check(CheckType::tcp, server.port());
  auto first = plan(2, {member("kept", 0, {check}), member("removed", 1, {check})});
  auto old_table = first.table;
  HealthLoop loop(64, 9);
  loop.start();
  loop.adopt(std::move(first));
  // The loop writes the word before it copies the status: wait for both, or since_steady may
  // still be the adoption's.
  REQUIRE(wait_until([&] {
    const auto all = loop.status();
    return old_table->read(0).up && old_table->read(1).up && all.size() == 2 && all[0].up &&
           all[1].up;
  }));
  const auto kept_before = loop.status()[0];

  auto slow = check;
  slow.interval_ms = 60000;  // its first probe comes within a second; none before we look
  auto second = plan(3, {member("new", 0, {slow}, InitialState::down), member("kept", 2, {check}),
                         member("none", 1, {}, InitialState::down)});
  auto table = second.table;
  loop.adopt(std::move(second));
  loop.wait_adopted();
  // Written at once, before any new probe: kept is still up and known, new is down/unknown.
  const auto kept = table->read(2);
  CHECK(kept.up);
  CHECK(kept.known);
  CHECK(kept.rtt_us > 0);
  CHECK_FALSE(table->read(0).up);
  CHECK_FALSE(table->read(0).known);
  CHECK(table->read(1).up);  // no checks: always up
  CHECK(table->read(1).known);
  const auto status = loop.status();
  REQUIRE(status.size() == 3);
  CHECK(status[0].key == "new");
  CHECK(status[1].key == "kept");
  CHECK(status[1].since_steady == kept_before.since_steady);
  CHECK(status[2].key == "none");
  CHECK_FALSE(loop.first_round_done());  // "new" has not been probed yet

  // The removed member's probes stopped: its old slot is never written again.
  old_table->write(1, gslbd::health::Health{});
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK(old_table->read(1) == gslbd::health::Health{});
  REQUIRE(wait_until([&] { return loop.first_round_done(); }));
  loop.stop();
}

TEST_CASE("members without checks or with only none are up and known at once") {
  auto none = fast_check(CheckType::none, 0);
  HealthLoop loop(64, 10);
  loop.start();
  auto p = plan(2, {member("bare", 0, {}, InitialState::down),
                    member("none", 1, {none}, InitialState::wait)});
  auto table = p.table;
  loop.adopt(std::move(p));
  loop.wait_adopted();
  CHECK(table->read(0).up);
  CHECK(table->read(0).known);
  CHECK(table->read(1).up);
  CHECK(loop.first_round_done());
  loop.stop();
}

TEST_CASE("admin force and drain arrive by message and survive adopt") {
  LoopbackServer server([](const std::string&) { return std::string(); });
  server.start();
  const auto check = fast_check(CheckType::tcp, server.port());
  auto p = plan(1, {member("m", 0, {check})});
  auto table = p.table;
  HealthLoop loop(64, 11);
  loop.start();
  loop.adopt(std::move(p));
  REQUIRE(wait_until([&] { return table->read(0).up; }));
  CHECK(loop.force("m", false));
  REQUIRE(wait_until([&] { return !table->read(0).up && table->read(0).forced; }));
  CHECK(loop.drain("m", true));
  REQUIRE(wait_until([&] { return table->read(0).drained; }));
  CHECK(loop.force("nobody", true));  // unknown keys are ignored

  auto again = plan(1, {member("m", 0, {check})});
  auto table2 = again.table;
  loop.adopt(std::move(again));
  loop.wait_adopted();
  CHECK(table2->read(0).forced);
  CHECK_FALSE(table2->read(0).up);
  CHECK(table2->read(0).drained);

  loop.force("m", std::nullopt);
  loop.drain("m", false);
  REQUIRE(wait_until([&] {
    const auto h = table2->read(0);
    return h.up && !h.forced && !h.drained;
  }));
  loop.stop();
}

TEST_CASE("a member whose verdict is lost and found again counts once toward the first round") {
  LoopbackServer server(never_answer());
  server.start();
  auto slow = fast_check(CheckType::tcp, server.port());
  slow.expect = "never";
  slow.interval_ms = 5000;
  slow.timeout_ms = 4000;  // no check has a result while the test runs
  slow.jitter_percent = 0;
  auto p = plan(
      2, {member("a", 0, {slow}, InitialState::wait), member("b", 1, {slow}, InitialState::wait)});
  auto table = p.table;
  HealthLoop loop(64, 13);
  loop.start();
  loop.adopt(std::move(p));
  loop.wait_adopted();
  CHECK_FALSE(loop.first_round_done());
  // a's first verdict is an operator's; released, a has none again; forced once more, it must
  // not count a second time while b still waits for its first result.
  CHECK(loop.force("a", true));
  REQUIRE(wait_until([&] { return table->read(0).known; }));
  CHECK(loop.force("a", std::nullopt));
  REQUIRE(wait_until([&] { return !table->read(0).known; }));
  CHECK(loop.force("a", false));
  REQUIRE(wait_until([&] { return table->read(0).forced; }));
  CHECK_FALSE(table->read(1).known);
  CHECK_FALSE(loop.first_round_done());
  loop.stop();
}

TEST_CASE("stop is prompt with probes in flight") {
  LoopbackServer server(never_answer());
  server.start();
  auto slow = fast_check(CheckType::tcp, server.port());
  slow.expect = "never";
  slow.interval_ms = 5000;
  slow.timeout_ms = 4000;
  auto http = fast_check(CheckType::http, server.port());
  http.interval_ms = 5000;
  http.timeout_ms = 4000;
  std::vector<gslbd::probe::MonitoredMember> members;
  for (std::uint32_t i = 0; i < 10; ++i) {
    members.push_back(member("m" + std::to_string(i), i, {i % 2 == 0 ? slow : http}));
  }
  HealthLoop loop(64, 12);
  loop.start();
  loop.adopt(plan(10, std::move(members)));
  REQUIRE(wait_until([&] { return loop.counters().in_flight >= 8; }));
  const auto start = std::chrono::steady_clock::now();
  loop.stop();
  const long long took = ms_since(start);
  MESSAGE("stop with " << 10 << " probes in flight took " << took << " ms");
  CHECK(took < 1000);
  loop.stop();          // idempotent
  loop.wait_adopted();  // returns at once once stopped
}

TEST_CASE("adopt before start and destruction without start are fine") {
  { HealthLoop idle; }
  HealthLoop loop(64, 13);
  auto p = plan(1, {member("bare", 0, {}, InitialState::down)});
  auto table = p.table;
  loop.adopt(std::move(p));
  loop.start();
  loop.wait_adopted();
  CHECK(table->read(0).up);
}
