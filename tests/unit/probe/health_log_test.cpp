// SPDX-License-Identifier: Apache-2.0
// What the health loop tells the log and /status about verdicts: first verdicts and
// transitions with pool, address, check and reason (warning for down, info for up), pools
// entering and leaving "all down" (from the loop, once each), and last_error kept as history
// with its time while down_reason shows only the present.
#include <doctest/doctest.h>

#include "log_capture.hpp"
#include "loop_helpers.hpp"
#include "loopback_server.hpp"

using namespace gslbd::probe::test;
using gslbd::health::CheckType;
using gslbd::health::InitialState;
using gslbd::probe::HealthLoop;
using gslbd::probe::MonitoredPool;

namespace {

gslbd::probe::MonitoredMember named(std::string pool, std::int32_t pool_index, std::string name,
                                    std::uint32_t slot, const char* vip, std::uint16_t port) {
  auto m = member(pool + "/" + name, slot, {fast_check(CheckType::tcp, port)}, InitialState::wait);
  m.name = std::move(name);
  m.address = *gslbd::util::parse_address(vip);
  m.pool = pool_index;
  return m;
}

std::string port_text(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port) + ")";
}

}  // namespace

TEST_CASE("log: first verdicts, transitions and all-down pools, each once") {
  LogCapture log;
  LoopbackServer live([](const std::string&) { return std::string(); });
  live.start();
  LoopbackServer gone([](const std::string&) { return std::string(); });
  gone.start();
  const std::uint16_t refused = gone.port();
  gone.stop();  // refuses from now on

  auto p = plan(3, {named("web", 0, "a", 0, "192.0.2.1", live.port()),
                    named("dead", 1, "x", 1, "192.0.2.2", refused),
                    named("dead", 1, "y", 2, "2001:db8::2", refused)});
  p.pools = {MonitoredPool{"web", "nodata (answers are empty)"},
             MonitoredPool{"dead", "serve_all (answers name every member)"}};
  auto table = p.table;
  HealthLoop loop(64, 1);
  loop.start();
  loop.adopt(std::move(p));
  loop.wait_adopted();
  REQUIRE(wait_until([&] { return loop.first_round_done(); }));
  REQUIRE(wait_until([&] {
    return log.count({"pool dead is all down for A answers"}) == 1 &&
           log.count({"pool dead is all down for AAAA answers"}) == 1;
  }));

  // a failing first check of a waiting member: a warning with everything needed
  CHECK(log.count({"warning health: member x of pool dead (192.0.2.2) is down (first verdict): "
                   "check test (tcp to " +
                   port_text(refused) + " failed: connect"}) == 1);
  CHECK(log.count({"info health: member a of pool web (192.0.2.1) is up (first verdict): "
                   "check test (tcp to " +
                   port_text(live.port()) + " passes"}) == 1);
  CHECK(log.count({"warning health: pool dead is all down for A answers (x down); all_down "
                   "serve_all (answers name every member) applies"}) == 1);
  CHECK(log.count({"warning health: pool dead is all down for AAAA answers (y down)"}) == 1);
  CHECK(log.count({"pool web is"}) == 0);

  // the present and the history in status
  auto status = loop.status();
  REQUIRE(status.size() == 3);
  CHECK(status[1].down_reason.find("check test (tcp to 127.0.0.1:") == 0);
  CHECK(status[1].down_reason.find("failed: connect") != std::string::npos);
  CHECK(status[1].last_error_check == "test");
  CHECK(status[1].last_error_at.has_value());
  CHECK(status[0].down_reason.empty());
  CHECK_FALSE(status[0].last_error_at.has_value());

  // web/a goes down (fall 2): a warning, and web enters all-down
  live.stop();
  REQUIRE(wait_until([&] { return log.count({"pool web is all down for A answers"}) == 1; }));
  CHECK(log.count({"warning health: member a of pool web (192.0.2.1) is down: check test (tcp "
                   "to " +
                   port_text(live.port()) + " failed: connect"}) == 1);
  CHECK(log.count({"warning health: pool web is all down for A answers (a down); all_down "
                   "nodata (answers are empty) applies"}) == 1);
  status = loop.status();
  CHECK_FALSE(status[0].down_reason.empty());
  REQUIRE(status[0].last_error_at.has_value());
  const auto failed_at = *status[0].last_error_at;

  // back up (rise 2): info, and web leaves all-down; the error stays as history
  live.start();
  REQUIRE(wait_until([&] { return log.count({"pool web is no longer all down"}) == 1; }));
  CHECK(log.count({"info health: member a of pool web (192.0.2.1) is up: check test"}) == 1);
  CHECK(log.count({"info health: pool web is no longer all down for A answers after",
                   "(a serving); all_down nodata (answers are empty) no longer applies"}) == 1);
  status = loop.status();
  CHECK(status[0].up);
  CHECK(status[0].down_reason.empty());
  CHECK(status[0].last_error.find("connect") != std::string::npos);
  REQUIRE(status[0].last_error_at.has_value());
  CHECK(*status[0].last_error_at >= failed_at);

  // dead stays down: still exactly one line per family, however many probes ran
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK(log.count({"pool dead is all down"}) == 2);
  CHECK(log.count({"member x of pool dead"}) == 1);
  loop.stop();
  MESSAGE(log.dump());
}

TEST_CASE("log: force auto is not logged as a force, forced down says so") {
  LogCapture log;
  LoopbackServer live([](const std::string&) { return std::string(); });
  live.start();
  auto p = plan(1, {named("web", 0, "a", 0, "192.0.2.1", live.port())});
  p.pools = {MonitoredPool{"web", "serve_all"}};
  HealthLoop loop(64, 1);
  loop.start();
  loop.adopt(std::move(p));
  loop.wait_adopted();
  REQUIRE(loop.status().size() == 1);
  REQUIRE(wait_until([&] { return loop.status()[0].up; }));
  REQUIRE(loop.force("web/a", false));
  REQUIRE(wait_until([&] { return !loop.status()[0].up; }));
  CHECK(loop.status()[0].down_reason == "forced down by admin");
  REQUIRE(loop.force("web/a", std::nullopt));
  REQUIRE(wait_until([&] { return loop.status()[0].up; }));
  loop.stop();
  CHECK(log.count({"warning health: member a of pool web (192.0.2.1) is down: forced down by "
                   "admin"}) == 1);
  CHECK(log.count({"info health: member a of pool web (192.0.2.1) is up: force cleared by admin; "
                   "check test"}) == 1);
  CHECK(log.count({"forced", "is up"}) == 0);
  MESSAGE(log.dump());
}

TEST_CASE("schedule: a normal plan is on time and its planned rate is the checks' mean") {
  LoopbackServer live([](const std::string&) { return std::string(); });
  live.start();
  // 3 members x 1 check every 100 ms with 10% jitter: 3 x 1000 / 105 probes/s
  auto p = plan(3, {member("a", 0, {fast_check(CheckType::tcp, live.port())}),
                    member("b", 1, {fast_check(CheckType::tcp, live.port())}),
                    member("c", 2, {fast_check(CheckType::tcp, live.port())})});
  HealthLoop loop(64, 1);
  loop.start();
  loop.adopt(std::move(p));
  loop.wait_adopted();
  CHECK(loop.counters().planned_per_second == doctest::Approx(3000.0 / 105.0));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  const auto c = loop.counters();
  loop.stop();
  MESSAGE("lag " << c.lag_us << " us, " << c.started_last_second << " started last second");
  CHECK(c.late == 0);
  CHECK(c.lag_us < 50'000);  // 50 ms: the late bound for a 100 ms interval
  CHECK(c.started_last_second > 0);
}
